-- keystage, Quarto back end: run after Quarto's own filters, this puts back two things plain pandoc keeps.
-- Tables: Quarto marks every table "typst:no-figure" (quarto-cli issue 10438), so Typst would drop a table's
-- caption; a captioned table gets its figure and caption back.
-- Images: Quarto reads alt text from fig-alt but leaves it out of DOCX (the caption goes in instead); the
-- fig-alt text becomes the image's description, which pandoc's writers use as its alt text.
-- HTML figures: Quarto wraps each in a "quarto-figure" div with the image in a paragraph, which the site's
-- stylesheet narrows to the text measure (p { max-width }); unwrapped, the figure is pandoc's <figure>.
-- DOCX metadata: pandoc's writer stores every metadata field it does not know as a custom document property,
-- so Quarto's (include-before, labels, ...) and keystage's template variables (ks) would ride along in the
-- Word file; only the language, which the writer uses, is kept.
function Table(tbl)
  if #tbl.caption.long > 0 then
    tbl.classes = tbl.classes:filter(function(class) return class ~= "typst:no-figure" end)
  end
  return tbl
end

function Image(img)
  local alt = img.attributes["fig-alt"]
  if alt then
    img.caption = pandoc.Inlines({pandoc.Str(alt)})
    img.attributes["fig-alt"] = nil
  end
  return img
end

function Div(div)
  if FORMAT:match("html") and div.classes:includes("quarto-figure") then
    return div.content:map(function(block)
      if block.t == "Para" and #block.content == 1 and block.content[1].t == "Image" then
        return pandoc.Plain(block.content)
      end
      return block
    end)
  end
end

function Meta(meta)
  if FORMAT == "docx" then
    return pandoc.Meta({lang = meta.lang})
  end
end
