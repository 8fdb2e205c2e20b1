import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authorityOf, isValidHost } from './host.js';

const hosts: Array<[string, boolean]> = [
  ['a.example', true], ['a.example:8080', true], ['127.0.0.1:80', true], ['[::1]', true], ['[::1]:443', true],
  ['', true], ['xn--bcher-kva.example', true], ['a%2eb', true],
  ['a b', false], ['a@b', false], ['a/b', false], ['a:80:80', false], ['a:8o', false], ['a:123456', false],
  ['[::1', false], ['[]', false], ['[::1]x', false], ['a,b', true /* sub-delim in reg-name; the duplicate check is separate */],
  ['a\tb', false], ['a\x7fb', false], ['ä.example', false], ["a-._~!$&'()*+;=b:1", true], ['a"b', false], ['a<b', false],
];
for (const [value, want] of hosts) {
  test(`isValidHost(${JSON.stringify(value)}) = ${want}`, () => assert.equal(isValidHost(value), want));
}

const authorities: Array<[string, string]> = [
  ['http://a.example/p', 'a.example'], ['http://a.example:81?q', 'a.example:81'], ['http://u:p@a.example:81/x', 'a.example:81'],
  ['https://[::1]:8443/', '[::1]:8443'], ['http://a.example', 'a.example'],
];
for (const [target, want] of authorities) {
  test(`authorityOf(${target}) = ${want}`, () => assert.equal(authorityOf(target), want));
}
