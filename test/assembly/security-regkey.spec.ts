// Registration keys (assembly/security/regkey.ts; docs/decisions.md "Registration keys"): the derived
// mobile-foreign key and its wrapping for the foreign agent, checked against Node's crypto:
//   K_MF = HMAC-MD5("mn-ha-secret", "mipfw-mn-fa-key" | 10.2.0.1 | 10.1.0.20 | eb00000012345678)
//   wrapped = K_MF XOR MD5("fa-ha" | eb000000aabbccdd | 10.1.0.20 | "fa-ha")
import { regkeyDerive, regkeyWrap } from "../../assembly/security/regkey";
import { SA_SIZE, SA_KEY, SA_KEYLEN } from "../../assembly/security/sa";
import { hexOf } from "./helpers";

function fakeSa(key: string): usize {
  const sa = heap.alloc(<usize>SA_SIZE);
  memory.fill(sa, 0, <usize>SA_SIZE);
  for (let i = 0; i < key.length; i++) store<u8>(sa + SA_KEY + <usize>i, <u8>key.charCodeAt(i));
  store<u8>(sa, <u8>key.length, SA_KEYLEN);
  return sa;
}
const FA: u32 = 0x0a020001, HOME: u32 = 0x0a010014;

describe("registration keys", () => {
  it("derives the mobile-foreign key from the mobile-home key, the agent, the home address and the Identification", () => {
    const out = heap.alloc(16);
    regkeyDerive(fakeSa("mn-ha-secret"), FA, HOME, 0xeb00000012345678, out);
    expect<string>(hexOf(out, 16)).toStrictEqual("efc5e670745d8e88a27062416f953c13");
    // Another Identification, agent or home address gives another key.
    const other = heap.alloc(16);
    regkeyDerive(fakeSa("mn-ha-secret"), FA, HOME, 0xeb00000012345679, other);
    expect<bool>(hexOf(other, 16) == hexOf(out, 16)).toBe(false);
    regkeyDerive(fakeSa("mn-ha-secret"), FA + 1, HOME, 0xeb00000012345678, other);
    expect<bool>(hexOf(other, 16) == hexOf(out, 16)).toBe(false);
  });
  it("wraps the key with the foreign-home key and the reply's Identification; unwrapping is the same operation", () => {
    const k = heap.alloc(16);
    regkeyDerive(fakeSa("mn-ha-secret"), FA, HOME, 0xeb00000012345678, k);
    const fh = fakeSa("fa-ha");
    regkeyWrap(fh, 0xeb000000aabbccdd, HOME, k);
    expect<string>(hexOf(k, 16)).toStrictEqual("2f107cacb81fa4b086abf0874dc2bc52");
    regkeyWrap(fh, 0xeb000000aabbccdd, HOME, k);
    expect<string>(hexOf(k, 16)).toStrictEqual("efc5e670745d8e88a27062416f953c13");
  });
});
