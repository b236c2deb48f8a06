local function split(s, sep)
  local pieces = {}
  local start = 1
  while true do
    local p = string.find(s, sep, start, true)
    if not p then
      pieces[#pieces + 1] = string.sub(s, start)
      return pieces
    end
    pieces[#pieces + 1] = string.sub(s, start, p - 1)
    start = p + #sep
  end
end

local function main()
  local parts = {}
  for i = 0, 99999 do parts[i + 1] = tostring(i) end
  local joined = table.concat(parts, ",")
  local pieces = split(joined, ",")
  local total = 0
  for i = 1, #pieces do total = total + #pieces[i] end
  print(total)
end

main()
