-- mipfw.lua: Wireshark / tshark dissector for the Mobile IPv4 Route Optimization messages and
-- smooth-handoff extensions of draft-ietf-mobileip-optim-08 as the mipfw firmware sends them
-- (layouts: SPEC-DECISIONS "Route Optimization", assembly/wire/ro.ts; fields: docs/wireshark.md).
--
--   tshark -X lua_script:tools/wireshark/mipfw.lua -r capture.pcap -V
--   wireshark -X lua_script:tools/wireshark/mipfw.lua capture.pcap
-- or copy the file into Wireshark's personal Lua plugins folder.
--
-- Why a replacement on UDP 434 and not a heuristic: IANA later gave message types 16-19 to other
-- protocols, so the built-in "mip" dissector mislabels them; the port is Mobile IP's own, so this
-- dissector takes it, decodes types 16-19 itself and hands every other type (Registration Request 1,
-- Reply 3, ...) to the built-in dissector unchanged. For Registration Requests and Replies it adds a
-- "mipfw" subtree with what the built-in one does not know: the P and R flags (the built-in one calls
-- 0x02 "Reverse Tunneling", RFC 3024's later meaning) and the extensions 35, 96 and 160.
--
-- It also decodes the Distributed Registration messages of draft-chuahli-mobileip-dremip-00 (seed
-- 002; layouts: SPEC-DECISIONS "Distributed Registration", assembly/wire/dremip.ts): Route Request (32)
-- and Route Reply (33) in full, and the extensions Registration Server (81), Care-of Address (82),
-- Agent-Server (83), Mobile-Server (84) and Server-Server (85) Authentication both there and in the
-- "mipfw" subtree of Registration Requests and Replies, where the Home Agent field is shown as the
-- Binding Registrar when the request sets R (or the reply carries a distributed-registration extension).
-- A postdissector adds those extensions found in ICMP Agent Advertisements (after the built-in ICMP
-- dissector's Mobility Agent Advertisement). A Route Request/Reply not ending with the Agent-Server
-- Authentication extension gets the expert info mipfw.missing_auth (warning).
--
-- Bad input never raises a Lua error: every read is bounded by the captured length first, and a
-- short or inconsistent message gets the expert info mipfw.malformed (error) naming the field,
-- the expected and the actual length.

local MIP_PORT = 434

local mipfw = Proto("mipfw", "Mobile IP Route Optimization and Distributed Registration (optim-08, dremip-00, mipfw)")

local msg_types = {
  [16] = "Binding Warning", [17] = "Binding Request", [18] = "Binding Update", [19] = "Binding Acknowledge",
  [32] = "Route Request", [33] = "Route Reply",
  -- Discovery (002 appendices A, B; the project's formats, docs/decisions.md).
  [34] = "Registration Server Solicitation", [35] = "Registration Server Advertisement",
  [36] = "Care-of Agent Solicitation", [37] = "Care-of Agent Advertisement",
}
-- Route Reply codes (002 §3.5).
local rt_codes = {
  [0] = "Route added", [64] = "Reason unspecified", [65] = "Administratively prohibited",
  [67] = "Server failed authentication", [68] = "Requested lifetime too long", [69] = "Poorly formed message",
}
local ba_status = {
  [0] = "Accepted", [128] = "Reason unspecified", [129] = "Administratively prohibited",
  [130] = "Insufficient resources", [131] = "Sending node failed authentication",
  [133] = "Identification mismatch", [134] = "Poorly formed Binding Update",
}
local ext_types = {
  [32] = "Mobile-Home Authentication", [33] = "Mobile-Foreign Authentication",
  [34] = "Foreign-Home Authentication", [35] = "Route Optimization Authentication",
  [81] = "Registration Server", [82] = "Care-of Address",
  [83] = "Agent-Server Authentication", [84] = "Mobile-Server Authentication",
  [85] = "Server-Server Authentication",
  [96] = "Previous Foreign Agent Notification", [160] = "Binding Warning",
}
local function is_auth(t) return (t >= 32 and t <= 35) or (t >= 83 and t <= 85) end
local function is_dr_ext(t) return t >= 81 and t <= 85 end

local f = {
  type = ProtoField.uint8("mipfw.type", "Message Type", base.DEC, msg_types),
  reserved = ProtoField.uint24("mipfw.reserved", "Reserved", base.HEX),
  reserved16 = ProtoField.uint16("mipfw.reserved16", "Reserved", base.HEX),
  homeaddr = ProtoField.ipv4("mipfw.homeaddr", "Mobile Node Home Address"),
  target = ProtoField.ipv4("mipfw.target", "Target Node Address"),
  ident = ProtoField.uint64("mipfw.ident", "Identification", base.HEX),
  flags = ProtoField.uint8("mipfw.flags", "Flags", base.HEX),
  flag_a = ProtoField.bool("mipfw.flags.a", "Acknowledge requested (A)", 8, nil, 0x80),
  flag_i = ProtoField.bool("mipfw.flags.i", "Identification present (I)", 8, nil, 0x40),
  flag_m = ProtoField.bool("mipfw.flags.m", "Minimal encapsulation (M)", 8, nil, 0x20),
  flag_g = ProtoField.bool("mipfw.flags.g", "GRE encapsulation (G)", 8, nil, 0x10),
  flag_rsv = ProtoField.uint8("mipfw.flags.rsvd", "Reserved", base.HEX, nil, 0x0f),
  lifetime = ProtoField.uint16("mipfw.lifetime", "Lifetime (s)", base.DEC),
  coa = ProtoField.ipv4("mipfw.coa", "Care-of Address"),
  status = ProtoField.uint8("mipfw.status", "Status", base.DEC, ba_status),
  ext = ProtoField.none("mipfw.ext", "Extension"),
  ext_type = ProtoField.uint8("mipfw.ext.type", "Extension Type", base.DEC, ext_types),
  ext_len = ProtoField.uint8("mipfw.ext.len", "Extension Length", base.DEC),
  ext_data = ProtoField.bytes("mipfw.ext.data", "Extension Data"),
  auth_spi = ProtoField.uint32("mipfw.auth.spi", "SPI", base.HEX),
  auth_value = ProtoField.bytes("mipfw.auth.authenticator", "Authenticator"),
  pfan_lifetime = ProtoField.uint16("mipfw.pfan.lifetime", "Cache Lifetime (s)", base.DEC),
  pfan_prevfa = ProtoField.ipv4("mipfw.pfan.prevfa", "Previous Foreign Agent Address"),
  pfan_coa = ProtoField.ipv4("mipfw.pfan.coa", "New Care-of Address"),
  pfan_spi = ProtoField.uint32("mipfw.pfan.spi", "SPI", base.HEX),
  pfan_auth = ProtoField.bytes("mipfw.pfan.authenticator", "Authenticator"),
  bwx_reserved = ProtoField.uint16("mipfw.bwext.reserved", "Reserved", base.HEX),
  bwx_homeaddr = ProtoField.ipv4("mipfw.bwext.homeaddr", "Mobile Node Home Address"),
  bwx_target = ProtoField.ipv4("mipfw.bwext.target", "Target Node Address"),
  reg_flags = ProtoField.uint8("mipfw.reg.flags", "Registration Request Flags", base.HEX),
  reg_p = ProtoField.bool("mipfw.reg.flags.p", "Private binding (P, optim-08 §4.6)", 8, nil, 0x02),
  reg_r = ProtoField.bool("mipfw.reg.flags.r", "Distributed registration (R)", 8, nil, 0x01),
  reg_registrar = ProtoField.ipv4("mipfw.reg.registrar", "Binding Registrar (Home Agent field)"),
  rt_reserved = ProtoField.uint8("mipfw.rt.reserved", "Reserved", base.HEX),
  rt_code = ProtoField.uint8("mipfw.rt.code", "Code", base.DEC, rt_codes),
  rt_lifetime = ProtoField.uint16("mipfw.rt.lifetime", "Lifetime (s)", base.DEC),
  rt_dest = ProtoField.ipv4("mipfw.rt.dest", "Destination Address (home address)"),
  rt_nexthop = ProtoField.ipv4("mipfw.rt.nexthop", "Next Hop Address (child care-of address)"),
  rt_id = ProtoField.uint64("mipfw.rt.id", "Identification", base.HEX),
  ds_value = ProtoField.uint16("mipfw.ds.value", "Value (priority of a server, load of a care-of agent)"),
  ds_addr = ProtoField.ipv4("mipfw.ds.addr", "Address"),
  ds_id = ProtoField.uint64("mipfw.ds.id", "Identification", base.HEX),
  ds_lifetime = ProtoField.uint16("mipfw.ds.lifetime", "Lifetime"),
  rs_ext_lifetime = ProtoField.uint16("mipfw.rs.ext_lifetime", "Lifetime (s)", base.DEC),
  rs_server = ProtoField.none("mipfw.rs.server", "Registration Server"),
  rs_addr = ProtoField.ipv4("mipfw.rs.addr", "Registration Server Address"),
  rs_priority = ProtoField.uint16("mipfw.rs.priority", "Priority", base.DEC),
  rs_lifetime = ProtoField.uint16("mipfw.rs.lifetime", "Lifetime (s)", base.DEC),
  coa_ext_reserved = ProtoField.uint16("mipfw.coa_ext.reserved", "Reserved", base.HEX),
  coa_ext = ProtoField.ipv4("mipfw.coa_ext", "Care-of Address"),
}
local field_list = {}
for _, v in pairs(f) do field_list[#field_list + 1] = v end
mipfw.fields = field_list

local ex_malformed = ProtoExpert.new("mipfw.malformed", "Malformed route-optimization message",
  expert.group.MALFORMED, expert.severity.ERROR)
local ex_discard = ProtoExpert.new("mipfw.unknown_ext", "Unknown non-skippable extension (0-127): the message is discarded",
  expert.group.PROTOCOL, expert.severity.WARN)
local ex_missing_auth = ProtoExpert.new("mipfw.missing_auth",
  "Agent-Server Authentication extension (83) not at the end: the receiver discards the message (002 §5.1, §6.5)",
  expert.group.SECURITY, expert.severity.WARN)
mipfw.experts = { ex_malformed, ex_discard, ex_missing_auth }

local mip = Dissector.get("mip")

local function bad(tree, tvb, text)
  tree:add_proto_expert_info(ex_malformed, text)
end

-- Walk the extensions from `off` to `len`. With `only_ro` (registration messages) only 35, 81-85,
-- 96 and 160 get a subtree (the built-in dissector shows the rest). Returns the offset of the last
-- Route Optimization Authentication extension found (or nil), whether the walk reached the end
-- cleanly, and the type of the last extension (nil when there is none).
local function dissect_extensions(tvb, tree, off, len, only_ro, icmp)
  local auth_at = nil
  local last_t = nil
  while off < len do
    local t = tvb(off, 1):uint()
    if icmp and t == 0 then
      off = off + 1 -- Why: RFC 2002 §2.1.3: the ICMP One-byte Padding extension has no Length
    elseif len - off < 2 then
      bad(tree, tvb, string.format("extension %d at offset %d: Length octet missing (expected 2 bytes, got 1)", t, off))
      return auth_at, false, last_t
    else
      local l = tvb(off + 1, 1):uint()
      if len - off - 2 < l then
        bad(tree, tvb, string.format("extension %d at offset %d: Length %d runs past the end (%d bytes left)", t, off, l, len - off - 2))
        return auth_at, false, last_t
      end
      last_t = t
      local shown = (not only_ro) or t == 35 or t == 96 or t == 160 or is_dr_ext(t)
      if shown then
        local name = ext_types[t] or string.format("Unknown extension %d", t)
        local st = tree:add(f.ext, tvb(off, 2 + l)):set_text(name .. " Extension")
        st:add(f.ext_type, tvb(off, 1))
        st:add(f.ext_len, tvb(off + 1, 1))
        local d = off + 2
        if is_auth(t) then
          if l < 4 then
            bad(st, tvb, string.format("authentication extension %d: Length expected >= 4, got %d", t, l))
          else
            st:add(f.auth_spi, tvb(d, 4))
            if l > 4 then st:add(f.auth_value, tvb(d + 4, l - 4)) end
            if t == 35 then auth_at = off end
          end
        elseif t == 81 then
          -- Why: 002 §4.1 / SPEC-DECISIONS: Length = 2 + 8N, the extension's Lifetime then N servers.
          if l < 2 or (l - 2) % 8 ~= 0 then
            bad(st, tvb, string.format("Registration Server extension: Length expected 2 + 8N, got %d", l))
          else
            local li = st:add(f.rs_ext_lifetime, tvb(d, 2))
            local lv = tvb(d, 2):uint()
            if lv == 0 then li:append_text(" (no longer serving)") elseif lv == 65535 then li:append_text(" (infinite)") end
            local n = (l - 2) / 8
            for i = 0, n - 1 do
              local o = d + 2 + 8 * i
              local sv = st:add(f.rs_server, tvb(o, 8))
              sv:set_text(string.format("Registration Server %s, priority %d, lifetime %d",
                tostring(tvb(o, 4):ipv4()), tvb(o + 4, 2):uint(), tvb(o + 6, 2):uint()))
              sv:add(f.rs_addr, tvb(o, 4))
              sv:add(f.rs_priority, tvb(o + 4, 2))
              sv:add(f.rs_lifetime, tvb(o + 6, 2))
            end
          end
        elseif t == 82 then
          if l ~= 6 then
            bad(st, tvb, string.format("Care-of Address extension: Length expected 6, got %d", l))
          else
            st:add(f.coa_ext_reserved, tvb(d, 2))
            st:add(f.coa_ext, tvb(d + 2, 4))
          end
        elseif t == 96 then
          if l < 14 then
            bad(st, tvb, string.format("Previous Foreign Agent Notification: Length expected >= 14, got %d", l))
          else
            st:add(f.pfan_lifetime, tvb(d, 2))
            st:add(f.pfan_prevfa, tvb(d + 2, 4))
            st:add(f.pfan_coa, tvb(d + 6, 4))
            st:add(f.pfan_spi, tvb(d + 10, 4))
            if l > 14 then st:add(f.pfan_auth, tvb(d + 14, l - 14)) end
          end
        elseif t == 160 then
          if l < 6 or (l - 6) % 4 ~= 0 then
            bad(st, tvb, string.format("Binding Warning extension: Length expected 6 + 4N, got %d", l))
          else
            st:add(f.bwx_reserved, tvb(d, 2))
            st:add(f.bwx_homeaddr, tvb(d + 2, 4))
            for i = 0, (l - 6) / 4 - 1 do st:add(f.bwx_target, tvb(d + 6 + 4 * i, 4)) end
          end
        else
          if l > 0 then st:add(f.ext_data, tvb(d, l)) end
          if t < 128 then st:add_proto_expert_info(ex_discard) end
        end
      end
      off = off + 2 + l
    end
  end
  return auth_at, true, last_t
end

local function short(tree, tvb, what, need, len)
  bad(tree, tvb, string.format("%s: expected at least %d bytes, got %d", what, need, len))
end

local function dissect_ro(tvb, pinfo, tree, t, len)
  pinfo.cols.protocol = "MIPfw"
  local name = msg_types[t]
  local title = (t >= 32) and "Mobile IP Distributed Registration, " or "Mobile IP Route Optimization, "
  local st = tree:add(mipfw, tvb(0, len), title .. name)
  st:add(f.type, tvb(0, 1))
  pinfo.cols.info = name .. " [malformed]" -- replaced below once the fixed part is there
  local info = name
  if t == 16 then
    if len < 8 then short(st, tvb, "Binding Warning", 12, len) return end
    st:add(f.reserved, tvb(1, 3))
    st:add(f.homeaddr, tvb(4, 4))
    local n = math.floor((len - 8) / 4)
    for i = 0, n - 1 do st:add(f.target, tvb(8 + 4 * i, 4)) end
    if n < 1 or (len - 8) % 4 ~= 0 then
      bad(st, tvb, string.format("Binding Warning: expected 8 + 4N bytes with N >= 1, got %d", len))
    end
    info = string.format("%s for %s, %d target(s)", name, tostring(tvb(4, 4):ipv4()), n)
  elseif t == 17 then
    if len < 16 then short(st, tvb, "Binding Request", 16, len) return end
    st:add(f.reserved, tvb(1, 3))
    st:add(f.homeaddr, tvb(4, 4))
    st:add(f.ident, tvb(8, 8))
    dissect_extensions(tvb, st, 16, len, false)
    info = string.format("%s for %s", name, tostring(tvb(4, 4):ipv4()))
  elseif t == 18 then
    if len < 12 then short(st, tvb, "Binding Update", 12, len) return end
    local fl = tvb(1, 1):uint()
    local ft = st:add(f.flags, tvb(1, 1))
    ft:add(f.flag_a, tvb(1, 1)); ft:add(f.flag_i, tvb(1, 1)); ft:add(f.flag_m, tvb(1, 1))
    ft:add(f.flag_g, tvb(1, 1)); ft:add(f.flag_rsv, tvb(1, 1))
    local li = st:add(f.lifetime, tvb(2, 2))
    local lv = tvb(2, 2):uint()
    if lv == 0 then li:append_text(" (delete)") elseif lv == 65535 then li:append_text(" (infinite)") end
    st:add(f.homeaddr, tvb(4, 4))
    st:add(f.coa, tvb(8, 4))
    local fixed = 12
    if bit.band(fl, 0x40) ~= 0 then
      if len < 20 then short(st, tvb, "Binding Update with I set", 20, len) return end
      st:add(f.ident, tvb(12, 8))
      fixed = 20
    end
    local auth_at, ok = dissect_extensions(tvb, st, fixed, len, false)
    if ok and auth_at == nil then
      bad(st, tvb, "Binding Update: Route Optimization Authentication extension (35) expected, absent")
    elseif ok and auth_at + 2 + tvb(auth_at + 1, 1):uint() ~= len then
      bad(st, tvb, "Binding Update: extensions after the Route Optimization Authentication extension")
    end
    info = string.format("%s %s -> %s, lifetime %d", name, tostring(tvb(4, 4):ipv4()), tostring(tvb(8, 4):ipv4()), tvb(2, 2):uint())
  elseif t == 19 then
    if len < 16 then short(st, tvb, "Binding Acknowledge", 16, len) return end
    st:add(f.reserved16, tvb(1, 2))
    st:add(f.status, tvb(3, 1))
    st:add(f.homeaddr, tvb(4, 4))
    st:add(f.ident, tvb(8, 8))
    dissect_extensions(tvb, st, 16, len, false)
    info = string.format("%s for %s, status %d", name, tostring(tvb(4, 4):ipv4()), tvb(3, 1):uint())
  elseif t == 32 or t == 33 then
    if len < 20 then short(st, tvb, name, 20, len) return end
    if t == 32 then st:add(f.rt_reserved, tvb(1, 1)) else st:add(f.rt_code, tvb(1, 1)) end
    local li = st:add(f.rt_lifetime, tvb(2, 2))
    local lv = tvb(2, 2):uint()
    if lv == 0 then li:append_text(" (disable the route)") elseif lv == 65535 then li:append_text(" (infinite)") end
    st:add(f.rt_dest, tvb(4, 4))
    st:add(f.rt_nexthop, tvb(8, 4))
    st:add(f.rt_id, tvb(12, 8))
    local _, ok, last_t = dissect_extensions(tvb, st, 20, len, false)
    -- Why: 002 §5.1 / §6.5: a Route Request or Reply without an Agent-Server Authentication
    -- extension at the end is invalid and discarded — a protocol warning, the bytes are well formed.
    if ok and last_t ~= 83 then
      st:add_proto_expert_info(ex_missing_auth, last_t == nil
        and name .. ": no extensions, Agent-Server Authentication extension (83) expected at the end"
        or string.format("%s: last extension is %d, Agent-Server Authentication extension (83) expected at the end", name, last_t))
    end
    info = string.format("%s %s via %s, lifetime %d", name, tostring(tvb(4, 4):ipv4()), tostring(tvb(8, 4):ipv4()), lv)
    if t == 33 then
      local c = tvb(1, 1):uint()
      info = info .. string.format(", code %d (%s)", c, rt_codes[c] or "unknown")
    end
  elseif t >= 34 and t <= 37 then
    if len < 20 then short(st, tvb, name, 20, len) return end
    st:add(f.rt_reserved, tvb(1, 1))
    st:add(f.ds_value, tvb(2, 2))
    st:add(f.ds_addr, tvb(4, 4))
    st:add(f.ds_id, tvb(8, 8))
    local li = st:add(f.ds_lifetime, tvb(16, 2))
    if tvb(16, 2):uint() == 0 and (t == 35 or t == 37) then li:append_text(" (takes no more mobile nodes)") end
    st:add(f.reserved16, tvb(18, 2))
    local _, ok, last_t = dissect_extensions(tvb, st, 20, len, false)
    if ok and (t == 35 or t == 37) and last_t ~= 83 then
      st:add_proto_expert_info(ex_missing_auth, name .. ": Agent-Server Authentication extension (83) expected at the end")
    end
    info = string.format("%s %s", name, tostring(tvb(4, 4):ipv4()))
    if t == 35 then info = info .. string.format(", priority %d", tvb(2, 2):uint()) end
    if t == 37 then info = info .. string.format(", load %d", tvb(2, 2):uint()) end
  end
  pinfo.cols.info = info
end

-- What the built-in dissector does not show in a Registration Request (1) or Reply (3).
local function dissect_reg_extras(tvb, tree, t, len)
  local fixed = (t == 1) and 24 or 20
  if len < fixed then return end
  local has_ro, has_dr = false, false
  local off = fixed
  while off + 2 <= len do
    local et = tvb(off, 1):uint()
    if et == 35 or et == 96 or et == 160 then has_ro = true end
    if is_dr_ext(et) then has_dr = true end
    off = off + 2 + tvb(off + 1, 1):uint()
  end
  if t ~= 1 and not has_ro and not has_dr then return end
  local st = tree:add(mipfw, tvb(0, len), "Mobile IP Route Optimization additions (mipfw)")
  local r_set = false
  if t == 1 then
    local ft = st:add(f.reg_flags, tvb(1, 1))
    ft:add(f.reg_p, tvb(1, 1))
    ft:add(f.reg_r, tvb(1, 1))
    r_set = bit.band(tvb(1, 1):uint(), 0x01) ~= 0
  end
  -- Why: 002 §3.2-3.3: under distributed registration the Home Agent field (offset 8 in both
  -- messages) names the Binding Registrar; a reply has no R bit, so its extensions tell.
  if r_set or (t == 3 and has_dr) then st:add(f.reg_registrar, tvb(8, 4)) end
  dissect_extensions(tvb, st, fixed, len, true)
end

function mipfw.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  if len < 1 then return 0 end
  local t = tvb(0, 1):uint()
  if msg_types[t] then
    dissect_ro(tvb, pinfo, tree, t, len)
    return len
  end
  local r = mip and mip:call(tvb, pinfo, tree) or 0
  if t == 1 or t == 3 then dissect_reg_extras(tvb, tree, t, len) end
  return r
end

DissectorTable.get("udp.port"):add(MIP_PORT, mipfw)

-- Registration Server extension (81) in ICMP Agent Advertisements (002 §4.1): the built-in ICMP
-- dissector shows the Mobility Agent Advertisement (16) but not 81, so a postdissector walks the
-- extensions after the router addresses of every ICMP Router Advertisement (type 9) and adds a
-- "mipfw" subtree when one of 81-85 is there (the others stay with the built-in dissector).
local icmp_field = Field.new("icmp")
local mipfw_adv = Proto("mipfw_adv", "Mobile IP Distributed Registration in Agent Advertisements (mipfw)")

function mipfw_adv.dissector(_, _, tree)
  for _, fi in ipairs({ icmp_field() }) do
    local ok, r = pcall(function() return fi.range end)
    if ok and r ~= nil and r:len() >= 8 and r(0, 1):uint() == 9 then
      local tvb = r:tvb()
      local len = tvb:len()
      local off = 8 + tvb(4, 1):uint() * tvb(5, 1):uint() * 4
      local has_dr = false
      local o = off
      while o < len do
        local t = tvb(o, 1):uint()
        if t == 0 then o = o + 1
        else
          if is_dr_ext(t) then has_dr = true end
          if o + 2 > len then break end
          o = o + 2 + tvb(o + 1, 1):uint()
        end
      end
      if has_dr and off <= len then
        local st = tree:add(mipfw, tvb(0, len), "Mobile IP Distributed Registration additions to the Agent Advertisement (mipfw)")
        dissect_extensions(tvb, st, off, len, true, true)
      end
    end
  end
end

register_postdissector(mipfw_adv)

-- ---- Mobile IPv6 draft 04 destination options (seed 003 §5, issue 13.7) ----------------------------
-- Modern Wireshark decodes 0xC9 as RFC 6275's Home Address option but not 0xC6 / 7 / 8 as the draft
-- uses them (SPEC-DECISIONS "Mobile IPv6": Binding Update 0xC6, Binding Acknowledgement 7, Binding Request
-- 8, Home Address 0xC9). This postdissector walks the IPv6 headers of an Ethernet frame (through AH,
-- Routing and Fragment headers, and into an IPv6-in-IPv6 inner packet) and adds a subtree for every
-- Destination Options header that carries one of them; an option shorter than its fixed part gets the
-- expert info mip6d4.malformed.
local mip6d4 = Proto("mip6d4", "Mobile IPv6 draft-04 options (mipfw)")
local m6_types = { [0xc6] = "Binding Update", [0x07] = "Binding Acknowledgement", [0x08] = "Binding Request", [0xc9] = "Home Address" }
local m6_status = {
  [0] = "Binding Update accepted", [128] = "Reason unspecified", [129] = "Poorly formed Binding Update",
  [130] = "Administratively prohibited", [131] = "Insufficient resources", [132] = "Home registration not supported",
  [133] = "Not home subnet", [134] = "Sequence Number field value too small",
  [135] = "Dynamic home agent address discovery response", [136] = "Incorrect interface identifier length",
}
local m6 = {
  opt = ProtoField.none("mip6d4.opt", "Option"),
  type = ProtoField.uint8("mip6d4.type", "Option Type", base.HEX, m6_types),
  len = ProtoField.uint8("mip6d4.len", "Option Length", base.DEC),
  flags = ProtoField.uint8("mip6d4.bu.flags", "Flags", base.HEX),
  a = ProtoField.bool("mip6d4.bu.a", "Acknowledge (A)", 8, nil, 0x80),
  h = ProtoField.bool("mip6d4.bu.h", "Home Registration (H)", 8, nil, 0x40),
  c = ProtoField.bool("mip6d4.bu.c", "Care-of Address Present (C)", 8, nil, 0x20),
  idlen = ProtoField.uint8("mip6d4.bu.idlen", "ID Length", base.DEC),
  seq = ProtoField.uint16("mip6d4.seq", "Sequence Number", base.DEC),
  lifetime = ProtoField.uint32("mip6d4.lifetime", "Lifetime (s)", base.DEC),
  coa = ProtoField.ipv6("mip6d4.bu.coa", "Care-of Address"),
  status = ProtoField.uint8("mip6d4.ba.status", "Status", base.DEC, m6_status),
  refresh = ProtoField.uint32("mip6d4.ba.refresh", "Refresh (s)", base.DEC),
  home = ProtoField.ipv6("mip6d4.hao", "Home Address"),
}
local m6_list = {}
for _, v in pairs(m6) do m6_list[#m6_list + 1] = v end
mip6d4.fields = m6_list
local m6_malformed = ProtoExpert.new("mip6d4.malformed", "Mobile IPv6 option shorter than its fixed part",
  expert.group.MALFORMED, expert.severity.ERROR)
mip6d4.experts = { m6_malformed }

local function m6_options(tvb, tree, o, hl)
  local i, stop = o + 2, o + hl
  local st = nil
  while i < stop do
    local t = tvb(i, 1):uint()
    if t == 0 then i = i + 1
    else
      if i + 2 > stop then return end
      local n = tvb(i + 1, 1):uint()
      if i + 2 + n > stop then return end
      if m6_types[t] then
        if not st then st = tree:add(mip6d4, tvb(o, hl), "Mobile IPv6 draft-04 options (mipfw)") end
        local ot = st:add(m6.opt, tvb(i, 2 + n)):set_text(m6_types[t])
        ot:add(m6.type, tvb(i, 1))
        ot:add(m6.len, tvb(i + 1, 1))
        local d = i + 2
        local need = ({ [0xc6] = 8, [0x07] = 11, [0x08] = 0, [0xc9] = 16 })[t]
        if t == 0xc6 and n >= 1 and bit.band(tvb(d, 1):uint(), 0x20) ~= 0 then need = 24 end
        if n < need then
          ot:add_proto_expert_info(m6_malformed, string.format("%s: Option Length %d, expected at least %d", m6_types[t], n, need))
        elseif t == 0xc6 then
          local ft = ot:add(m6.flags, tvb(d, 1))
          ft:add(m6.a, tvb(d, 1)); ft:add(m6.h, tvb(d, 1)); ft:add(m6.c, tvb(d, 1))
          ot:add(m6.idlen, tvb(d + 1, 1))
          ot:add(m6.seq, tvb(d + 2, 2))
          ot:add(m6.lifetime, tvb(d + 4, 4))
          if need == 24 then ot:add(m6.coa, tvb(d + 8, 16)) end
          ot:append_text(string.format(", seq %d, lifetime %d", tvb(d + 2, 2):uint(), tvb(d + 4, 4):uint()))
        elseif t == 0x07 then
          ot:add(m6.status, tvb(d, 1))
          ot:add(m6.seq, tvb(d + 1, 2))
          ot:add(m6.lifetime, tvb(d + 3, 4))
          ot:add(m6.refresh, tvb(d + 7, 4))
          ot:append_text(string.format(", status %d, seq %d", tvb(d, 1):uint(), tvb(d + 1, 2):uint()))
        elseif t == 0xc9 then
          ot:add(m6.home, tvb(d, 16))
        end
      end
      i = i + 2 + n
    end
  end
end

function mip6d4.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  if len < 54 or tvb(12, 2):uint() ~= 0x86dd then return end
  local base = 14
  local nh, o = tvb(base + 6, 1):uint(), base + 40
  for _ = 1, 16 do
    if nh == 41 and o + 40 <= len then
      nh, o = tvb(o + 6, 1):uint(), o + 40
    elseif (nh == 0 or nh == 43 or nh == 60 or nh == 51 or nh == 44) and o + 2 <= len then
      local hl
      if nh == 51 then hl = (tvb(o + 1, 1):uint() + 2) * 4
      elseif nh == 44 then hl = 8
      else hl = (tvb(o + 1, 1):uint() + 1) * 8 end
      if o + hl > len then return end
      if nh == 60 then m6_options(tvb, tree, o, hl) end
      if nh == 44 and bit.band(tvb(o + 2, 2):uint(), 0xfff8) ~= 0 then return end
      nh, o = tvb(o, 1):uint(), o + hl
    else return end
  end
end

register_postdissector(mip6d4)
