-- Placed queens: an immutable linked list of {col, rest} cells, most recent
-- first; nil is the empty list.

local function safe(col, placed, dist)
  if placed == nil then return true end
  local q = placed[1]
  if q == col or q == col + dist or q == col - dist then return false end
  return safe(col, placed[2], dist + 1)
end

local function place(n, row, placed)
  if row == n then return 1 end
  local count = 0
  for col = 0, n - 1 do
    if safe(col, placed, 1) then
      count = count + place(n, row + 1, { col, placed })
    end
  end
  return count
end

local function main()
  print(place(9, 0, nil))
end

main()
