-- x*1103515245 can exceed 2^53, so the product is split to stay exact with
-- doubles (LuaJIT); every intermediate stays below 2^48. On Lua 5.4 all of
-- this is integer arithmetic.
local A_HI = 16838   -- 1103515245 = A_HI * 65536 + A_LO
local A_LO = 20077

local function next_random(x)
  local hi = (x * A_HI) % 32768              -- (x*A_HI*65536) mod 2^31, / 65536
  local prod = (hi * 65536 + x * A_LO) % 2147483648
  return (prod + 12345) % 2147483648
end

local function random_array(n, seed)
  local v = {}
  local x = seed
  for i = 1, n do
    x = next_random(x)
    v[i] = x
  end
  return v
end

-- Merge the sorted runs v[lo, mid) and v[mid, hi) through tmp.
local function merge(v, tmp, lo, mid, hi)
  local i, j, k = lo, mid, lo
  while i < mid and j < hi do
    if v[i] <= v[j] then
      tmp[k] = v[i]
      i = i + 1
    else
      tmp[k] = v[j]
      j = j + 1
    end
    k = k + 1
  end
  while i < mid do
    tmp[k] = v[i]
    i = i + 1
    k = k + 1
  end
  while j < hi do
    tmp[k] = v[j]
    j = j + 1
    k = k + 1
  end
  for m = lo, hi - 1 do v[m] = tmp[m] end
end

-- Sort v[lo, hi) in place.
local function merge_sort(v, tmp, lo, hi)
  if hi - lo > 1 then
    local mid = math.floor((lo + hi) / 2)
    merge_sort(v, tmp, lo, mid)
    merge_sort(v, tmp, mid, hi)
    merge(v, tmp, lo, mid, hi)
  end
end

local function main()
  local n = 200000
  local v = random_array(n, 42)
  local tmp = {}
  for i = 1, n do tmp[i] = 0 end
  merge_sort(v, tmp, 1, n + 1)
  local sum = 0
  for i = 1, 10 do sum = sum + v[i] end
  -- Lua arrays are 1-based: element 100000 (0-based) is v[100001].
  print(v[100001] .. " " .. sum)
end

main()
