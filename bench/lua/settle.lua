#!/usr/bin/env lua5.4
-- settle.lua — the seed pack (shared/spec/settlement.md) settled in plain Lua 5.4: the Lua
-- baseline of `regula bench`, byte for byte the output of bench/c/settle-c (docs/claims.md).
--
-- usage: lua5.4 bench/lua/settle.lua [--catalogs DIR] [--bench N] [CLAIMS.jsonl|-]
--
-- JSON is read with lua-cjson, which decodes every number as a double. So that integers,
-- exact decimals and huge numbers keep their text, each line is first rewritten: every
-- number token becomes the string "\0" .. its text, a string that starts with "\0" gets
-- one more "\0", and an empty array becomes ["\0]"] (cjson cannot tell [] from {}).
-- Money is integer fen in Lua integers, never floats.

collectgarbage("generational")
local cjson = require "cjson"
cjson.decode_invalid_numbers(false)
cjson.decode_max_depth(2048)                       -- as jansson

local byte, sub, find, format, concat = string.byte, string.sub, string.find, string.format,
    table.concat
local NULL = cjson.null
local MAXINT = math.maxinteger
local min, max = math.min, math.max

---------------------------------------------------------------------------------------------
-- Money and dates

local function yuan(y) return y * 100 end
local AMOUNT_MAX = yuan(1000000000000000)       -- 10^15 yuan

-- pct(x, p) = x * p / 100 rounded half up; x = 100q + r keeps x * p from overflowing.
local function pct(x, p)
  return (x // 100) * p + ((x % 100) * p + 50) // 100
end

local function days_from_civil(y, m, d)        -- H. Hinnant's algorithm, y >= 1
  if m <= 2 then y = y - 1 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

---------------------------------------------------------------------------------------------
-- Regions and policies (sections 2 and 3)

local REGIONS = { "CN", "LN", "LN-CY", "LN-SY", "LN-LY", "LN-BX", "GZ-GY", "HN-CS", "BJ" }
local IS_REGION = {}
for _, r in ipairs(REGIONS) do IS_REGION[r] = true end
local PARENT = { LN = "CN", ["LN-CY"] = "LN", ["LN-SY"] = "LN", ["LN-LY"] = "LN",
                 ["LN-BX"] = "LN", ["GZ-GY"] = "CN", ["HN-CS"] = "CN", BJ = "CN" }

-- Columns: 1, 2, 3 = levels, 4 = specialty hospital.
local CN_DEFAULTS = {
  waiting_days = 60,
  max_ratio = 95,
  second_admission_pct = 50,
  account_pays_ownpay = false,
  cross_city_group = {},
  red_home_long_term = 15, red_temporary = 10, red_emergency = 10, red_unfiled = 20,
  unfiled_from = days_from_civil(2023, 9, 1),
  scheme = {
    employee = {
      outpatient = { deductible = { yuan(200), yuan(200), yuan(200), yuan(200) },
                     ratio = { 70, 60, 50, 70 }, retiree_bonus = 10, annual_cap = yuan(2000) },
      inpatient = { deductible = { yuan(300), yuan(600), yuan(900), yuan(300) },
                    ratio = { 90, 85, 80, 90 }, retiree_bonus = 5, annual_cap = yuan(300000) },
      has_account = true,
    },
    resident = {
      outpatient = { deductible = { 0, 0, 0, 0 }, ratio = { 50, 50, 50, 50 },
                     retiree_bonus = 0, annual_cap = yuan(200) },
      inpatient = { deductible = { yuan(200), yuan(500), yuan(1000), yuan(200) },
                    ratio = { 80, 70, 60, 80 }, retiree_bonus = 0, annual_cap = yuan(200000) },
      has_account = false,
    },
  },
  critical = {
    employee = { threshold = yuan(15000), cap = yuan(400000),
                 tiers = { { 0, 60 }, { yuan(100000), 80 }, { yuan(200000), 90 } } },
    resident = { threshold = yuan(15000), cap = yuan(400000),
                 tiers = { { 0, 60 }, { yuan(100000), 80 }, { yuan(200000), 90 } } },
  },
}

local function ov_ln(p)
  p.account_pays_ownpay = true
  p.scheme.employee.inpatient.annual_cap = yuan(250000)
  p.cross_city_group = { ["LN-SY"] = true, ["LN-LY"] = true, ["LN-BX"] = true }
end

local function ov_lncy_2024(p)
  local v = p.scheme.employee.outpatient
  v.deductible = { yuan(300), yuan(300), yuan(300), yuan(300) }
  v.ratio = { 60, 55, 50, 60 }
  v.retiree_bonus = 10
  v.annual_cap = yuan(2500)
end

local function ov_lncy_2025(p)
  ov_lncy_2024(p)
  p.scheme.employee.outpatient.annual_cap = yuan(3000)
end

local function ov_waiting_181(p) p.waiting_days = 181 end

-- What each region overrides, always and from a date on.
local REGION_DEFS = {
  CN = {}, BJ = {}, ["LN-SY"] = {}, ["LN-LY"] = {}, ["LN-BX"] = {},
  LN = { override = ov_ln },
  ["LN-CY"] = { versions = { { days_from_civil(2024, 1, 1), ov_lncy_2024 },
                             { days_from_civil(2025, 1, 1), ov_lncy_2025 } } },
  ["GZ-GY"] = { override = ov_waiting_181 },
  ["HN-CS"] = { override = ov_waiting_181 },
}

local function deep_copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = deep_copy(v) end
  return c
end

-- TIMELINE[region] = { from = {day, ...}, policy = {policy, ...} }: policy[i] from from[i] on.
local TIMELINE = {}

local function policy_at(region, day)
  local t = TIMELINE[region]
  local i = #t.from
  while i > 1 and day < t.from[i] do i = i - 1 end
  return t.policy[i]
end

local function build_timeline(r)
  local def, parent = REGION_DEFS[r], PARENT[r]
  local cuts, seen = { math.mininteger }, {}
  if parent then
    for i = 2, #TIMELINE[parent].from do cuts[#cuts + 1] = TIMELINE[parent].from[i] end
  end
  for _, v in ipairs(def.versions or {}) do cuts[#cuts + 1] = v[1] end
  table.sort(cuts)
  local t = { from = {}, policy = {} }
  for _, day in ipairs(cuts) do
    if not seen[day] then
      seen[day] = true
      local p = deep_copy(parent and policy_at(parent, day) or CN_DEFAULTS)
      if def.override then def.override(p) end
      local versions = def.versions or {}
      for i = #versions, 1, -1 do
        if day >= versions[i][1] then versions[i][2](p); break end
      end
      t.from[#t.from + 1] = day
      t.policy[#t.policy + 1] = p
    end
  end
  TIMELINE[r] = t
end

for _, r in ipairs(REGIONS) do build_timeline(r) end  -- parents come first

---------------------------------------------------------------------------------------------
-- Catalogs (section 4): CATALOG[region][code] = { cls = "A"|"B"|"C", share = p, cap = fen|nil }

local function split_csv(line)
  local fields, i, n = {}, 1, #line
  while true do
    local f
    if byte(line, i) == 34 then                   -- a quoted field
      local buf, j = {}, i + 1
      while j <= n do
        local c = sub(line, j, j)
        if c == '"' then
          if sub(line, j + 1, j + 1) == '"' then buf[#buf + 1] = '"'; j = j + 2
          else j = j + 1; break end
        else buf[#buf + 1] = c; j = j + 1 end
      end
      f = concat(buf)
      local comma = find(line, ",", j, true)
      fields[#fields + 1] = f
      if not comma then return fields end
      i = comma + 1
    else
      local comma = find(line, ",", i, true)
      fields[#fields + 1] = sub(line, i, (comma or n + 1) - 1)
      if not comma then return fields end
      i = comma + 1
    end
  end
end

local function parse_money(s)
  local int, frac = s:match("^(%d+)%.?(%d?%d?)$")
  if not int or (s:find(".", 1, true) and frac == "") or #int > 16 then return nil end
  if #frac == 1 then frac = frac .. "0" elseif frac == "" then frac = "00" end
  return math.tointeger(tonumber(int)) * 100 + math.tointeger(tonumber(frac))
end

-- Reads DIR/<region>.csv: a list of {code, entry}, nil when there is no file.
local function load_csv(dir, region)
  local path = dir .. "/" .. region .. ".csv"
  local f = io.open(path, "rb")
  if not f then return nil end
  local lines, lineno = {}, 0
  for line in f:lines() do
    lineno = lineno + 1
    line = line:gsub("\r+$", "")
    if lineno == 1 then line = line:gsub("^\239\187\191", "") end
    if line ~= "" then
      local fld = split_csv(line)
      if not (lineno == 1 and fld[1] == "code") then
        if #fld ~= 5 or fld[1] == "" then
          error(format("%s:%d: expected 5 fields: code,name,class,selfpay_pct,price_cap",
                       path, lineno), 0)
        end
        local e = { cls = fld[3], share = 10 }
        if e.cls ~= "A" and e.cls ~= "B" and e.cls ~= "C" then
          error(format("%s:%d: class must be A, B or C", path, lineno), 0)
        end
        if fld[4] ~= "" then
          local p = fld[4]:match("^%d+$") and math.tointeger(tonumber(fld[4]))
          if not p or p > 100 then
            error(format("%s:%d: selfpay_pct must be a whole percent 0..100", path, lineno), 0)
          end
          e.share = p
        end
        if fld[5] ~= "" then
          e.cap = parse_money(fld[5])
          if not e.cap then
            error(format("%s:%d: malformed price_cap '%s'", path, lineno, fld[5]), 0)
          end
        end
        lines[#lines + 1] = { fld[1], e }
      end
    end
  end
  f:close()
  return lines
end

local function load_catalogs(dir)
  local own = {}
  for _, r in ipairs(REGIONS) do own[r] = load_csv(dir, r) end
  if not own.CN then
    error(dir .. "/CN.csv: no such file (the national catalog is required)", 0)
  end
  local catalog = {}
  for _, r in ipairs(REGIONS) do
    local chain = {}
    local x = r
    while x do table.insert(chain, 1, x); x = PARENT[x] end
    local cat = {}
    for _, region in ipairs(chain) do
      for _, line in ipairs(own[region] or {}) do cat[line[1]] = line[2] end
    end
    catalog[r] = cat
  end
  return catalog
end

---------------------------------------------------------------------------------------------
-- JSON text in the manner of Python's json.dumps (", ", ": ", UTF-8 kept)

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r",
                  ["\t"] = "\\t", ["\b"] = "\\b", ["\f"] = "\\f" }
for c = 0, 31 do
  local ch = string.char(c)
  if not ESCAPES[ch] then ESCAPES[ch] = format("\\u%04x", c) end
end

local function json_string(s)
  if find(s, '[\0-\31"\\]') then s = s:gsub('[\0-\31"\\]', ESCAPES) end
  return '"' .. s .. '"'
end

-- The shortest round-trip repr of a finite double, as Python writes it.
local function py_float_repr(d)
  local t
  for p = 1, 17 do
    t = format("%." .. (p - 1) .. "e", d)
    if tonumber(t) == d then break end
  end
  local sign, mant, e10 = t:match("^(%-?)([%d.]+)e([-+]%d+)$")
  local digits = mant:gsub("%.", ""):gsub("(.-)0*$", "%1")
  if digits == "" then digits = "0" end
  local nd = #digits
  local decpt = d == 0 and 1 or tonumber(e10) + 1     -- value = 0.DIGITS * 10^decpt
  if decpt <= -4 or decpt > 16 then
    local m = sub(digits, 1, 1) .. (nd > 1 and "." .. sub(digits, 2) or "")
    local e = decpt - 1
    return format("%s%se%s%02d", sign, m, e < 0 and "-" or "+", math.abs(e))
  elseif decpt <= 0 then
    return sign .. "0." .. string.rep("0", -decpt) .. digits
  elseif decpt >= nd then
    return sign .. digits .. string.rep("0", decpt - nd) .. ".0"
  else
    return sign .. sub(digits, 1, decpt) .. "." .. sub(digits, decpt + 1)
  end
end

---------------------------------------------------------------------------------------------
-- Reading a line: the number-preserving rewrite, then cjson

local EMPTY_ARRAY = "\0]"
local OBJECT_ID = "\0"                             -- key of an object's id (ordered mode)

-- Rewrites LINE for cjson (see the head of this file). In ordered mode every object also
-- gets the key "\0" holding its id, and KEYS[id] lists its keys in order of appearance.
-- Returns the text, or nil and a message.
local function rewrite(s, ordered, keys)
  local out, n, last, pos = {}, 0, 1, 1
  local stack, nids = {}, 0
  local pattern = ordered and '[%[{}"%-0-9]' or '[%[{"%-0-9]'
  local function emit(upto, text)
    n = n + 1; out[n] = sub(s, last, upto)
    n = n + 1; out[n] = text
  end
  while true do
    local i = find(s, pattern, pos)
    if not i then break end
    local c = byte(s, i)
    if c == 34 then                                -- a string: find its end
      local j = i + 1
      while true do
        local k = find(s, '["\\\0-\31]', j)
        if not k then return nil, "unterminated string starting at character " .. i end
        local ck = byte(s, k)
        if ck == 34 then j = k; break end
        if ck ~= 92 then return nil, "control character in a string at character " .. k end
        j = k + 2
      end
      if sub(s, i + 1, i + 6) == "\\u0000" then    -- mark a string that starts with \0
        emit(i, "\\u0000"); last = i + 1
      end
      if ordered and #stack > 0 and find(s, "^[ \t\n\r]*:", j + 1) then
        local ok, key = pcall(cjson.decode, sub(s, i, j))
        if ok then
          if byte(key, 1) == 0 then key = "\0" .. key end
          local top = stack[#stack]
          if not top.seen[key] then
            top.seen[key] = true
            top.list[#top.list + 1] = key
          end
        end
      end
      pos = j + 1
    elseif c == 91 then                            -- [: mark an empty array
      local _, e = find(s, "^[ \t\n\r]*%]", i + 1)
      if e then
        emit(i - 1, '["\\u0000]"]'); last = e + 1; pos = e + 1
      else
        pos = i + 1
      end
    elseif c == 123 then                           -- {
      if ordered then
        nids = nids + 1
        local list = { }
        keys[nids] = list
        stack[#stack + 1] = { list = list, seen = {} }
        local empty = find(s, "^[ \t\n\r]*}", i + 1)
        emit(i, '"\\u0000":"\\u0000' .. nids .. '"' .. (empty and "" or ","))
        last = i + 1
      end
      pos = i + 1
    elseif c == 125 then                           -- } (ordered mode only)
      stack[#stack] = nil
      pos = i + 1
    else                                           -- a number: its longest valid prefix
      local j = i
      if c == 45 then j = j + 1 end
      local d = byte(s, j)
      if d == 48 then
        j = j + 1
      elseif d and d >= 49 and d <= 57 then
        j = find(s, "[^0-9]", j) or #s + 1
      else
        pos = i + 1; goto continue                 -- a lone '-': cjson will complain
      end
      if byte(s, j) == 46 and find(s, "^[0-9]", j + 1) then
        j = find(s, "[^0-9]", j + 1) or #s + 1
      end
      local e = byte(s, j)
      if e == 101 or e == 69 then
        local k = j + 1
        local sg = byte(s, k)
        if sg == 43 or sg == 45 then k = k + 1 end
        if find(s, "^[0-9]", k) then j = find(s, "[^0-9]", k) or #s + 1 end
      end
      local text = sub(s, i, j - 1)
      if find(text, "[.eE]") then
        local v = tonumber(text)
        if v == math.huge or v == -math.huge then
          return nil, "real number overflow near '" .. text .. "'"
        end
      end
      emit(i - 1, '"\\u0000' .. text .. '"')
      last = j; pos = j
    end
    ::continue::
  end
  if last == 1 then return s end
  n = n + 1; out[n] = sub(s, last)
  return concat(out)
end

-- Decodes LINE; returns the value, or nil and a message.
local function decode(line, ordered, keys)
  if find(line, "\0", 1, true) then return nil, "NUL byte in the text" end
  if not utf8.len(line) then return nil, "invalid UTF-8" end
  local text, err = rewrite(line, ordered, keys)
  if not text then return nil, err end
  local ok, v = pcall(cjson.decode, text)
  if not ok then
    local msg = tostring(v)
    if text ~= line then msg = msg:gsub(" at character %d+$", "") end  -- not our positions
    return nil, msg
  end
  return v
end

-- The kind of a decoded value, and for strings and numbers their text.
local function kind(v)
  local t = type(v)
  if t == "string" then
    if byte(v, 1) ~= 0 then return "string", v end
    if byte(v, 2) == 0 then return "string", sub(v, 2) end
    return "number", sub(v, 2)
  elseif t == "table" then
    local first = v[1]
    if first == nil then return "object" end
    return "array"
  elseif t == "boolean" then
    return "boolean"
  end
  return "null"
end

local function is_integer_text(text) return not find(text, "[.eE]") end

-- Python's json.dumps of a number given as its JSON text.
local function dump_number(text)
  if is_integer_text(text) then
    return text == "-0" and "0" or text
  end
  return py_float_repr(tonumber(text))
end

-- JSON text of V (decoded in ordered mode, KEYS its key lists).
local function py_dump(v, keys)
  local k, text = kind(v)
  if k == "string" then return json_string(text) end
  if k == "number" then return dump_number(text) end
  if k == "boolean" then return v and "true" or "false" end
  if k == "null" then return "null" end
  local parts = {}
  if k == "array" then
    if v[1] == EMPTY_ARRAY then return "[]" end
    for i = 1, #v do parts[i] = py_dump(v[i], keys) end
    return "[" .. concat(parts, ", ") .. "]"
  end
  local id = select(2, kind(v[OBJECT_ID]))
  for _, key in ipairs(keys[tonumber(id)] or {}) do
    local _, ktext = kind(key)
    parts[#parts + 1] = json_string(ktext) .. ": " .. py_dump(v[key], keys)
  end
  return "{" .. concat(parts, ", ") .. "}"
end

---------------------------------------------------------------------------------------------
-- Validation, in the order and words of docs/claims.md

local Fail = {}                                    -- the error value thrown by fail()
local cur_line, cur_lineno                         -- the line being read (for messages)

local function fail(msg) error(setmetatable({ msg = msg }, Fail), 0) end

-- The JSON text of the value at PATH (keys and 0-based indices) of the current line.
local function value_text(path)
  local keys = {}
  local v = decode(cur_line, true, keys)
  for _, step in ipairs(path) do
    if math.type(step) == "integer" then v = v[step + 1] else v = v[step] end
  end
  return py_dump(v, keys)
end

-- "P: PRE'TEXT'POST": TEXT is a string's value or a non-string's JSON text.
local function fail_quoted(p, path, x, pre, post)
  local k, text = kind(x)
  if k == "number" then text = dump_number(text)
  elseif k == "boolean" then text = x and "true" or "false"
  elseif k ~= "string" then text = value_text(path) end
  fail(p .. ": " .. pre .. "'" .. text .. "'" .. (post or ""))
end

local function field(obj, key)
  local x = obj[key]
  if x == nil or x == NULL then return nil end
  return x
end

local function get_object(obj, key, p)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  if kind(x) ~= "object" then fail(p .. ": expected an object") end
  return x
end

local function get_string(obj, key, p)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  local k, text = kind(x)
  if k ~= "string" then fail(p .. ": expected a string") end
  return text
end

local function get_bool(obj, key, p)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  if type(x) ~= "boolean" then fail(p .. ": expected true or false") end
  return x
end

local function get_enum(obj, key, p, path, word, allowed)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  local k, text = kind(x)
  if k == "string" and allowed[text] then return text end
  fail_quoted(p, path, x, "unknown " .. word .. " ")
end

local function days_in_month(y, m)
  if m == 2 and ((y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0) then return 29 end
  return ({ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
end

local function get_date(obj, key, p, path)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  local k, text = kind(x)
  local y, m, d
  if k == "string" then y, m, d = text:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$") end
  if not y then fail_quoted(p, path, x, "malformed date ", " (want YYYY-MM-DD)") end
  y, m, d = math.tointeger(tonumber(y)), math.tointeger(tonumber(m)), math.tointeger(tonumber(d))
  if y < 1 or m < 1 or m > 12 or d < 1 or d > days_in_month(y, m) then
    fail_quoted(p, path, x, "impossible date ")
  end
  return days_from_civil(y, m, d), y
end

-- Fen of well-formed decimal text "[-]D+[.D[D]]"; nil when larger than AMOUNT_MAX.
local function decimal_to_fen(text)
  local int, frac = text:match("^%-?0*(%d*)%.?(%d*)$")
  if #int > 16 then return nil end
  local v = (int == "" and 0 or math.tointeger(tonumber(int))) * 100
  if #frac >= 1 then v = v + (byte(frac, 1) - 48) * 10 end
  if #frac >= 2 then v = v + (byte(frac, 2) - 48) end
  if v > AMOUNT_MAX then return nil end
  return v
end

local function get_amount(obj, key, p, path)
  local x = field(obj, key)
  if x == nil then fail("missing field " .. p) end
  local k, text = kind(x)
  if k == "string" then
    if byte(text, 1) == 45 then fail_quoted(p, path, x, "negative amount ") end
    local int, frac = text:match("^(%d+)%.(%d*)$")
    if int and #frac >= 3 then fail_quoted(p, path, x, "amount ", " has more than two decimals") end
    if not (find(text, "^%d+$") or (int and #frac >= 1)) then
      fail_quoted(p, path, x, "malformed amount ", " (expected digits with up to two decimals)")
    end
    local f = decimal_to_fen(text)
    if not f then fail_quoted(p, path, x, "amount ", " is too large") end
    return f
  elseif k == "number" then
    if is_integer_text(text) then
      if byte(text, 1) == 45 and text ~= "-0" then fail(p .. ": negative amount " .. text) end
      local f = decimal_to_fen(text)
      if not f or f > AMOUNT_MAX then fail(p .. ": amount '" .. dump_number(text) .. "' is too large") end
      return f
    end
    local d = tonumber(text)
    local r = py_float_repr(d)
    if d < 0 then fail(p .. ": negative amount " .. r) end
    local has_e = find(r, "e", 1, true)
    if has_e and d >= 1 then fail(p .. ": amount '" .. r .. "' is too large") end
    if has_e or #r - find(r, ".", 1, true) > 2 then
      fail(p .. ": amount " .. r .. " is not exact to two decimals")
    end
    local f = decimal_to_fen(r)
    if not f then fail(p .. ": amount '" .. r .. "' is too large") end
    return f
  end
  fail(p .. ': expected an amount (a string such as "12.50")')
end

local SCHEMES = { employee = true, resident = true }
local STATUSES = { working = true, retired = true }
local FILING_KINDS = { none = true, long_term = true, temporary = true }
local VISIT_TYPES = { outpatient = true, inpatient = true }

local function validate(root)
  local c = {}
  c.claim_id = get_string(root, "claim_id", "claim_id")

  local person = get_object(root, "person", "person")
  c.person_id = get_string(person, "id", "person.id")
  c.insured = get_enum(person, "insured_region", "person.insured_region",
                       { "person", "insured_region" }, "region", IS_REGION)
  c.scheme = get_enum(person, "scheme", "person.scheme", { "person", "scheme" }, "scheme", SCHEMES)
  c.status = get_enum(person, "status", "person.status", { "person", "status" }, "status",
                      STATUSES)
  c.enrolled = get_date(person, "enrolled_on", "person.enrolled_on", { "person", "enrolled_on" })
  c.filing_kind = "none"
  local filing = field(person, "filing")
  if filing ~= nil then
    if kind(filing) ~= "object" then fail("person.filing: expected an object") end
    c.filing_kind = get_enum(filing, "kind", "person.filing.kind", { "person", "filing", "kind" },
                             "filing kind", FILING_KINDS)
    -- required unless the kind is none, checked whenever given
    if c.filing_kind ~= "none" or field(filing, "region") ~= nil then
      c.filing_region = get_enum(filing, "region", "person.filing.region",
                                 { "person", "filing", "region" }, "region", IS_REGION)
    end
  end
  c.balance = get_amount(person, "account_balance", "person.account_balance",
                         { "person", "account_balance" })

  local inst = get_object(root, "institution", "institution")
  get_string(inst, "id", "institution.id")
  c.treat = get_enum(inst, "region", "institution.region", { "institution", "region" }, "region",
                     IS_REGION)
  local level = field(inst, "level")
  if level == nil then fail("missing field institution.level") end
  local lk, ltext = kind(level)
  if not (lk == "number" and (ltext == "1" or ltext == "2" or ltext == "3")) then
    fail("institution.level: expected 1, 2 or 3")
  end
  c.level = byte(ltext) - 48
  c.designated = get_bool(inst, "designated", "institution.designated")
  c.specialty = get_bool(inst, "specialty", "institution.specialty")

  local visit = get_object(root, "visit", "visit")
  c.type = get_enum(visit, "type", "visit.type", { "visit", "type" }, "visit type", VISIT_TYPES)
  c.visit, c.year = get_date(visit, "date", "visit.date", { "visit", "date" })
  c.emergency = get_bool(visit, "emergency", "visit.emergency")
  c.card = get_bool(visit, "card", "visit.card")

  local items = field(root, "items")
  if items == nil then fail("missing field items") end
  if kind(items) ~= "array" then fail("items: expected an array") end
  local list, total = {}, 0
  if items[1] ~= EMPTY_ARRAY then
    for i = 1, #items do
      local p = "items[" .. (i - 1) .. "]"
      local obj = items[i]
      if kind(obj) ~= "object" then fail(p .. ": expected an object") end
      local code = get_string(obj, "code", p .. ".code")
      local amount = get_amount(obj, "amount", p .. ".amount", { "items", i - 1, "amount" })
      if amount > MAXINT - total then fail("items: total amount is too large") end
      total = total + amount
      list[i] = { code = code, amount = amount }
    end
  end
  c.items = list
  return c
end

local KIND_WORD = { array = "array", string = "string", number = "number", boolean = "boolean",
                    null = "null" }

local function error_line(lineno, root, msg)
  local id = root ~= nil and kind(root) == "object" and root.claim_id
  local k, text
  if id ~= nil and id ~= false then k, text = kind(id) end
  if k == "string" then
    return format('{"line": %d, "claim_id": %s, "error": %s}', lineno, json_string(text),
                  json_string(msg))
  end
  return format('{"line": %d, "error": %s}', lineno, json_string(msg))
end

-- Reads line LINENO: the claim, or nil and the whole error line.
local function read_claim(line, lineno)
  if find(line, "^[ \t\r\n\f\v]*$") then
    return nil, error_line(lineno, nil,
                           format("line %d: blank line (expected one JSON claim object)", lineno))
  end
  local root, err = decode(line, false)
  if root == nil then
    return nil, error_line(lineno, nil, "not valid JSON: " .. err)
  end
  local k = kind(root)
  if k ~= "object" then
    return nil, error_line(lineno, nil,
                           format("line %d: expected a JSON object, got %s", lineno, KIND_WORD[k]))
  end
  cur_line, cur_lineno = line, lineno
  local ok, c = pcall(validate, root)
  if ok then return c end
  if getmetatable(c) ~= Fail then error(c, 0) end
  return nil, error_line(lineno, root, format("line %d: %s", lineno, c.msg))
end

---------------------------------------------------------------------------------------------
-- The ledger (section 7): LEDGER[person id] = { balance = fen, years = { [year] = acc } }

local function new_year()
  return { out_deductible_met = 0, out_fund = 0, in_fund = 0, critical_base = 0,
           critical_paid = 0, in_admissions = 0 }
end

---------------------------------------------------------------------------------------------
-- The settlement (section 6)

local function cross_region_reduction(p, c)
  if c.treat == c.insured then
    return c.filing_kind == "long_term" and p.red_home_long_term or 0
  end
  if c.filing_kind == "long_term" and c.filing_region == c.treat then return 0 end
  if c.filing_kind == "temporary" and c.filing_region == c.treat then return p.red_temporary end
  if c.type == "outpatient" and p.cross_city_group[c.insured] and p.cross_city_group[c.treat] then
    return 0
  end
  if c.emergency then return p.red_emergency end
  if c.visit >= p.unfiled_from then return p.red_unfiled end
  return nil                                       -- NOT_FILED
end

local function critical_tiers(cr, b0, add)
  local b1 = add > MAXINT - b0 and MAXINT or b0 + add
  local x0, x1 = max(0, b0 - cr.threshold), max(0, b1 - cr.threshold)
  local sum, tiers = 0, cr.tiers
  for i = 1, #tiers do
    local lo = tiers[i][1]
    local hi = tiers[i + 1] and tiers[i + 1][1] or MAXINT
    local overlap = min(x1, hi) - max(x0, lo)
    if overlap > 0 then sum = sum + pct(overlap, tiers[i][2]) end
  end
  return sum
end

-- Settles claim C against LEDGER; fills the table R.
local function settle(catalog, ledger, c, r)
  local cat = catalog[c.treat]
  local total, ownpay, overlimit, preselfpay, inscope = 0, 0, 0, 0, 0
  local items = c.items
  for i = 1, #items do
    local a = items[i].amount
    total = total + a
    local e = cat[items[i].code]
    if e == nil or e.cls == "C" then
      ownpay = ownpay + a
    else
      local cap = e.cap
      if cap and a > cap then
        overlimit = overlimit + a - cap
        a = cap
      end
      if e.cls == "B" then
        local s = pct(a, e.share)
        preselfpay = preselfpay + s
        inscope = inscope + a - s
      else
        inscope = inscope + a
      end
    end
  end
  r.total, r.ownpay, r.overlimit, r.preselfpay, r.inscope = total, ownpay, overlimit,
      preselfpay, inscope

  local person = ledger[c.person_id]
  if person == nil then                            -- the first valid claim sets the balance
    person = { balance = c.balance, years = {} }
    ledger[c.person_id] = person
  end
  local p = policy_at(c.insured, c.visit)

  local reason, reduction = "OK", 0
  if not c.card then reason = "NO_CARD"
  elseif not c.designated then reason = "NOT_DESIGNATED"
  elseif c.visit < c.enrolled + p.waiting_days then reason = "WAITING"
  else
    reduction = cross_region_reduction(p, c)
    if reduction == nil then reason = "NOT_FILED" end
  end
  if reason ~= "OK" then
    r.eligible, r.reason, r.ratio = false, reason, 0
    r.deductible, r.fund, r.critical, r.account, r.cash = 0, 0, 0, 0, total
    return
  end

  local y = person.years[c.year]
  if y == nil then y = new_year(); person.years[c.year] = y end
  local sr = p.scheme[c.scheme]
  local vr = sr[c.type]
  local col = c.specialty and 4 or c.level

  local deductible
  if c.type == "outpatient" then
    deductible = min(inscope, max(0, vr.deductible[col] - y.out_deductible_met))
  else
    local d = vr.deductible[col]
    if y.in_admissions > 0 then d = pct(d, p.second_admission_pct) end
    deductible = min(inscope, d)
  end

  local ratio = vr.ratio[col] + (c.status == "retired" and vr.retiree_bonus or 0)
  ratio = max(0, min(ratio, p.max_ratio) - reduction)

  local paid = c.type == "outpatient" and y.out_fund or y.in_fund
  local fund = min(pct(inscope - deductible, ratio), max(0, vr.annual_cap - paid))

  local critical = 0
  if c.type == "inpatient" then
    local cr = p.critical[c.scheme]
    local add = inscope - fund
    critical = min(critical_tiers(cr, y.critical_base, add),
                        max(0, cr.cap - y.critical_paid))
    y.critical_base = add > MAXINT - y.critical_base and MAXINT or y.critical_base + add
    y.critical_paid = y.critical_paid + critical
    y.in_admissions = y.in_admissions + 1
    y.in_fund = y.in_fund + fund
  else
    y.out_deductible_met = y.out_deductible_met + deductible
    y.out_fund = y.out_fund + fund
  end

  local account = 0
  if sr.has_account then
    local want = preselfpay + inscope - fund - critical
    if p.account_pays_ownpay then want = want + ownpay + overlimit end
    account = min(person.balance, want)
    person.balance = person.balance - account
  end

  r.eligible, r.reason, r.ratio = true, "OK", ratio
  r.deductible, r.fund, r.critical, r.account = deductible, fund, critical, account
  r.cash = total - fund - critical - account
end

local RESULT_FORMAT = '{"claim_id": %s, "eligible": %s, "reason": "%s", "ratio": %d, '
    .. '"total": "%d.%02d", "ownpay": "%d.%02d", "overlimit": "%d.%02d", '
    .. '"preselfpay": "%d.%02d", "inscope": "%d.%02d", "deductible": "%d.%02d", '
    .. '"fund": "%d.%02d", "critical": "%d.%02d", "account": "%d.%02d", "cash": "%d.%02d"}'

local function result_line(c, r)
  return format(RESULT_FORMAT, json_string(c.claim_id), r.eligible and "true" or "false",
    r.reason, r.ratio,
    r.total // 100, r.total % 100, r.ownpay // 100, r.ownpay % 100,
    r.overlimit // 100, r.overlimit % 100, r.preselfpay // 100, r.preselfpay % 100,
    r.inscope // 100, r.inscope % 100, r.deductible // 100, r.deductible % 100,
    r.fund // 100, r.fund % 100, r.critical // 100, r.critical % 100,
    r.account // 100, r.account % 100, r.cash // 100, r.cash % 100)
end

---------------------------------------------------------------------------------------------
-- The command line

local USAGE = [[
usage: lua5.4 bench/lua/settle.lua [--catalogs DIR] [--bench N] [CLAIMS.jsonl|-]
  Settles JSON Lines claims (stdin when no file or '-') with the seed pack of
  shared/spec/settlement.md and writes one result line per input line.
  --catalogs DIR  the catalog CSVs (default: ../shared/spec/catalog from the repo root)
  --bench N       read and validate all claims once, settle them N times, print timings
exit status: 0 all lines settled, 1 some lines were errors, 2 usage or I/O error
]]

-- Calls FN(line) for each line of TEXT (a final newline opens no line; "\r" dropped).
local function each_line(text, fn)
  local pos, len = 1, #text
  while pos <= len do
    local nl = find(text, "\n", pos, true)
    local line = sub(text, pos, (nl or len + 1) - 1)
    if byte(line, -1) == 13 then line = sub(line, 1, -2) end
    fn(line)
    pos = (nl or len) + 1
  end
end

-- Reads, settles and writes one line; returns false for an error line.
local function run_line(catalog, ledger, line, lineno, r, out)
  local c, err = read_claim(line, lineno)
  if c then
    settle(catalog, ledger, c, r)
    out:write(result_line(c, r), "\n")
    return true
  end
  out:write(err, "\n")
  return false
end

local function bench(catalog, text, passes)
  -- One whole read + settle + write pass, to /dev/null.
  local devnull = assert(io.open("/dev/null", "w"))
  local r, lineno = {}, 0
  local ledger = {}
  local e0 = os.clock()
  each_line(text, function(line)
    lineno = lineno + 1
    run_line(catalog, ledger, line, lineno, r, devnull)
  end)
  devnull:flush()
  local e2e = os.clock() - e0
  devnull:close()

  -- Read and validate everything once, into memory.
  local claims, n = {}, 0
  lineno = 0
  each_line(text, function(line)
    lineno = lineno + 1
    local c = read_claim(line, lineno)
    if c then n = n + 1; claims[n] = c end
  end)

  -- N settle passes, the ledger reset before each.
  local times, check = {}, 0
  local results = {}
  for i = 1, n do results[i] = {} end
  for k = 1, passes do
    ledger = {}
    local t0 = os.clock()
    for i = 1, n do settle(catalog, ledger, claims[i], results[i]) end
    times[k] = os.clock() - t0
    for i = 1, n do check = check + results[i].fund + results[i].critical + results[i].account end
  end
  table.sort(times)
  local median = passes % 2 == 1 and times[(passes + 1) // 2]
      or (times[passes // 2] + times[passes // 2 + 1]) / 2
  local per_claim = n > 0 and median * 1e9 / n or 0
  io.write(format("settle_ns_per_claim=%.1f\n", per_claim))
  io.write(format("settle_claims_per_sec=%.0f\n", per_claim > 0 and 1e9 / per_claim or 0))
  io.write(format("e2e_claims_per_sec=%.0f\n", e2e > 0 and lineno / e2e or 0))
  io.stderr:write(format("settle.lua: %d lines, %d valid claims, %d passes (CPU time), checksum %d\n",
                         lineno, n, passes, check))
  return 0
end

local function default_catalogs()
  local script = arg and arg[0] or ""
  local dir = script:match("^(.*)/[^/]*$") or "."
  local candidate = dir .. "/../../../shared/spec/catalog"
  local f = io.open(candidate .. "/CN.csv", "rb")
  if f then f:close(); return candidate end
  return "../shared/spec/catalog"
end

local function main(argv)
  local catdir, file, passes
  local i = 1
  while i <= #argv do
    local a = argv[i]
    if a == "--catalogs" and argv[i + 1] then
      catdir = argv[i + 1]; i = i + 1
    elseif a:sub(1, 11) == "--catalogs=" then
      catdir = a:sub(12)
    elseif (a == "--bench" and argv[i + 1]) or a:sub(1, 8) == "--bench=" then
      local v = a == "--bench" and argv[i + 1] or a:sub(9)
      if a == "--bench" then i = i + 1 end
      passes = v:match("^%d+$") and math.tointeger(tonumber(v))
      if not passes or passes < 1 or passes > 1000000 then
        io.stderr:write("settle.lua: --bench wants a number of passes >= 1, got '", v, "'\n")
        return 2
      end
    elseif a == "-h" or a == "--help" then
      io.write(USAGE); return 0
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      io.stderr:write("settle.lua: unknown option '", a, "'\n", USAGE); return 2
    elseif file then
      io.stderr:write("settle.lua: one claims file at most\n", USAGE); return 2
    else
      file = a
    end
    i = i + 1
  end

  local ok, catalog = pcall(load_catalogs, catdir or default_catalogs())
  if not ok then
    io.stderr:write("settle.lua: catalogs: ", tostring(catalog), "\n"); return 2
  end

  local input = io.stdin
  if file and file ~= "-" then
    local f, err = io.open(file, "rb")
    if not f then io.stderr:write("settle.lua: ", err, "\n"); return 2 end
    input = f
  end

  if passes then
    local text = input:read("a")
    if not text then io.stderr:write("settle.lua: read error\n"); return 2 end
    return bench(catalog, text, passes)
  end

  io.stdout:setvbuf("full", 65536)
  local ledger, r, lineno, errors = {}, {}, 0, 0
  for line in input:lines() do
    lineno = lineno + 1
    if byte(line, -1) == 13 then line = sub(line, 1, -2) end
    if not run_line(catalog, ledger, line, lineno, r, io.stdout) then errors = errors + 1 end
  end
  if input ~= io.stdin then input:close() end
  local flushed, err = io.stdout:flush()
  if not flushed then io.stderr:write("settle.lua: write error: ", tostring(err), "\n"); return 2 end
  return errors > 0 and 1 or 0
end

os.exit(main(arg), true)
