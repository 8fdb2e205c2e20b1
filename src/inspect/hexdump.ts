/**
 * hexdump renders bytes in Wireshark's packet-bytes layout, one line per 16 bytes:
 * the offset (4 hex digits, 8 past 0xffff), two spaces, 16 hex bytes in two groups of 8 (an extra
 * space between the groups), three spaces, then the same bytes as ASCII with '.' for anything
 * outside 0x20–0x7e, so CR LF shows as `0d 0a` and `..`. `start` is the offset of bytes[0] (a stream
 * offset lets a dump line up with head offsets). Returns lines without newlines.
 */
export function hexdump(bytes: Uint8Array, start = 0): string[] {
  const lines: string[] = [];
  const width = start + bytes.length > 0x10000 ? 8 : 4;
  for (let row = 0; row < bytes.length; row += 16) {
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hex += ' ';
      const at = row + i;
      if (at < bytes.length) {
        const b = bytes[at]!;
        hex += (b < 16 ? '0' : '') + b.toString(16) + ' ';
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${(start + row).toString(16).padStart(width, '0')}  ${hex}  ${ascii}`);
  }
  return lines;
}
