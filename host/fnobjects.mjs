// Static function objects without their heap headers: a post-pass over the release module's data section.
//
// asc lays every function used as a value (a handler registered in a table, a timer callback) out as a
// static heap object: a 16-byte block header (mmInfo = 28, two GC words), the object header (rtId,
// rtSize = 8) and the payload `_index` (the function's table slot) and `_env` (always 0). Memory packing
// then leaves two data segments per object, a 1-byte one for mmInfo and a 9-byte one for rtId, rtSize and
// the index byte: ~25 bytes of module per handler, 89 handlers.
//
// The only read of a function object is `call_indirect (i32.load (ptr))`: the payload's first word.
// Nothing reads the headers: the runtime is `stub` (no GC walks static objects, nothing frees or renews
// them) and no code asks a function for its type. So the pass keeps each object's payload and drops its
// headers: one segment of the index byte at the object's own address, ~8 bytes. Addresses do not move
// and the header bytes read as zero, as memory starts zeroed.
//
// Why (size, issue 12; docs/decisions.md "Function objects"): -1.3 KB with the same code. The pass also
// joins data segments that lie closer together than a segment header costs (zeros in between).
// The pass refuses rather than guesses: it rewrites only when it finds exactly one such object for each
// slot of the table (asc makes exactly one per function used as a value), and throws otherwise, so a
// compiler that lays objects out differently fails the build instead of shipping a wrong module.

function leb(b, p) {
  let r = 0, s = 0, x;
  do { x = b[p++]; r += (x & 127) * 2 ** s; s += 7; } while (x & 128);
  return [r, p];
}
function encLeb(v) {
  const out = [];
  do { let x = v & 127; v = Math.floor(v / 128); if (v) x |= 128; out.push(x); } while (v);
  return out;
}
function encSleb(v) {
  const out = [];
  for (;;) {
    const x = v & 127; v >>= 7;
    if ((v === 0 && !(x & 64)) || (v === -1 && x & 64)) { out.push(x); return out; }
    out.push(x | 128);
  }
}

/** Sections of a module: [{ id, start, end }] (payload bounds). */
function sections(b) {
  const out = [];
  let p = 8;
  while (p < b.length) {
    const id = b[p++];
    let n; [n, p] = leb(b, p);
    out.push({ id, start: p, end: p + n });
    p += n;
  }
  return out;
}

/** Active data segments of the data section: [{ off, bytes }]. */
function dataSegments(b, s) {
  let p = s.start, c;
  [c, p] = leb(b, p);
  const segs = [];
  for (let i = 0; i < c; i++) {
    let flags; [flags, p] = leb(b, p);
    if (flags !== 0 || b[p] !== 0x41) throw new Error(`fnobjects: data segment ${i} is not active at a constant offset`);
    let off = 0, sh = 0, x;
    p++;
    do { x = b[p++]; off |= (x & 127) << sh; sh += 7; } while (x & 128);
    if (b[p++] !== 0x0b) throw new Error(`fnobjects: data segment ${i}: offset expression is not one i32.const`);
    let len; [len, p] = leb(b, p);
    segs.push({ off, bytes: b.subarray(p, p + len) });
    p += len;
  }
  return segs;
}

/** Table slots in the module's one element segment (active, function indices). */
function tableSlots(b, s) {
  let p = s.start, c;
  [c, p] = leb(b, p);
  if (c !== 1) throw new Error(`fnobjects: expected one element segment, found ${c}`);
  let flags; [flags, p] = leb(b, p);
  if (flags !== 0 || b[p] !== 0x41) throw new Error("fnobjects: element segment is not active at a constant offset");
  p++;
  let base; [base, p] = leb(b, p);
  p++;
  let n; [n, p] = leb(b, p);
  return { base, n };
}

const u32 = (a, i) => a[i] | (a[i + 1] << 8) | (a[i + 2] << 16) | (a[i + 3] << 24);
const word = (a, i) => (i < a.length ? u32(new Uint8Array([...a.subarray(i, i + 4), 0, 0, 0, 0]), 0) : 0);

/** The module with the function objects' headers dropped; returns { wasm, objects, before, after }. */
export function stripFunctionObjects(wasm) {
  const secs = sections(wasm);
  const dataSec = secs.find((s) => s.id === 11);
  const elemSec = secs.find((s) => s.id === 9);
  if (!dataSec || !elemSec) return { wasm, objects: 0, before: wasm.length, after: wasm.length };
  const segs = dataSegments(wasm, dataSec);
  const { base, n } = tableSlots(wasm, elemSec);
  const slots = new Set();
  const drop = new Set();
  const kept = [];
  for (let i = 0; i < segs.length; i++) {
    const a = segs[i], h = segs[i + 1];
    // [X: mmInfo 28] then [X+12: rtId, rtSize 8, _index, _env 0], nothing else up to the block's end.
    if (h && a.bytes.length === 1 && a.bytes[0] === 28 && h.off === a.off + 12 && h.bytes.length >= 9 && h.bytes.length <= 16
      && word(h.bytes, 4) === 8 && word(h.bytes, 12) === 0 && (segs[i + 2]?.off ?? Infinity) >= a.off + 32) {
      const slot = word(h.bytes, 8);
      if (slot >= base && slot < base + n && !slots.has(slot)) {
        slots.add(slot);
        drop.add(i); drop.add(i + 1);
        const payload = h.bytes.subarray(8, 12);
        let len = 4;
        while (len > 0 && payload[len - 1] === 0) len--;
        kept.push({ at: i, seg: { off: h.off + 8, bytes: payload.subarray(0, len) } });
      }
    }
  }
  if (slots.size !== n) throw new Error(`fnobjects: found ${slots.size} function objects for ${n} table slots; asc's layout changed, see host/fnobjects.mjs`);
  const kept2 = [];
  for (let i = 0; i < segs.length; i++) {
    const k = kept.find((e) => e.at === i);
    if (k) kept2.push(k.seg);
    else if (!drop.has(i)) kept2.push(segs[i]);
  }
  // Adjacent segments closer than a segment header costs (flags, i32.const, offset, end, length: 5-8
  // bytes) become one, the gap filled with the zeros memory starts with anyway.
  const out = [];
  for (const sg of kept2) {
    const last = out.at(-1);
    const gap = last ? sg.off - (last.off + last.bytes.length) : -1;
    if (last && gap >= 0 && gap < 5) {
      const b = new Uint8Array(last.bytes.length + gap + sg.bytes.length);
      b.set(last.bytes); b.set(sg.bytes, last.bytes.length + gap);
      out[out.length - 1] = { off: last.off, bytes: b };
    } else out.push(sg);
  }
  // Rebuild the data section and the data count.
  const body = [...encLeb(out.length)];
  for (const s of out) body.push(0, 0x41, ...encSleb(s.off), 0x0b, ...encLeb(s.bytes.length), ...s.bytes);
  const parts = [wasm.subarray(0, 8)];
  for (const s of secs) {
    let payload = wasm.subarray(s.start, s.end);
    if (s.id === 11) payload = Uint8Array.from(body);
    else if (s.id === 12) payload = Uint8Array.from(encLeb(out.length));
    parts.push(Uint8Array.of(s.id, ...encLeb(payload.length)), payload);
  }
  const res = Buffer.concat(parts);
  return { wasm: res, objects: n, before: wasm.length, after: res.length };
}
