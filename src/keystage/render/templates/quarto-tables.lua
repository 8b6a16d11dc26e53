-- keystage, Quarto back end: Quarto marks every table "typst:no-figure" (quarto-cli issue 10438), so Typst drops
-- a table's caption; run after Quarto's filters, this gives each captioned table back its figure and caption,
-- as plain pandoc writes it.
function Table(tbl)
  if #tbl.caption.long > 0 then
    tbl.classes = tbl.classes:filter(function(class) return class ~= "typst:no-figure" end)
  end
  return tbl
end
