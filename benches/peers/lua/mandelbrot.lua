local function inside(cr, ci, max_iter)
  local zr, zi = 0.0, 0.0
  for _ = 1, max_iter do
    local nzr = zr * zr - zi * zi + cr
    local nzi = 2.0 * zr * zi + ci
    if nzr * nzr + nzi * nzi > 4.0 then return false end
    zr, zi = nzr, nzi
  end
  return true
end

local function mandelbrot(size, max_iter)
  local count = 0
  for row = 0, size - 1 do
    local ci = -1.5 + 3.0 * row / size
    for col = 0, size - 1 do
      local cr = -2.0 + 3.0 * col / size
      if inside(cr, ci, max_iter) then count = count + 1 end
    end
  end
  return count
end

local function main()
  print(mandelbrot(600, 200))
end

main()
