-- stopwords.lua: short stopword lists (function words) for English, French
-- and Dutch, and a loader for lists kept in files (one word per line, #
-- comments).  Words are in casefolded form.
--   local sw = stopwords.get("en")        -- set: sw["the"] == true
--   local sw = stopwords.load("my.txt")   -- nil, message on error
local stopwords = {}

local LISTS = {
  en = [[a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says one two also its it's i'm he's she's that's there's they're
    we're you're isn't aren't wasn't weren't don't doesn't didn't won't can't mr mrs ms dr]],
  fr = [[au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais
    me même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
    tes toi ton tu un une vos votre vous c d j l m n s t y été être avoir ai as avons avez ont
    est sont était sera fait plus ne pas cette cet comme où si tout tous aussi bien]],
  nl = [[aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door
    dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand
    iets ik in is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog
    nu of om omdat onder ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want
    waren was wat werd wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou]],
}

function stopwords.languages()
  local out = {}
  for k in pairs(LISTS) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function set_of(text)
  local s = {}
  for w in text:gmatch("%S+") do s[w] = true end
  return s
end

-- The stopword set of a language ("en", "fr", "nl"); nil and a message if unknown.
function stopwords.get(lang)
  local l = LISTS[lang]
  if not l then return nil, "no stopword list for language '" .. tostring(lang) .. "'" end
  return set_of(l)
end

-- A stopword set from a file: one word per line, # starts a comment.
function stopwords.load(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = {}
  local n = 0
  for line in f:lines() do
    n = n + 1
    local w = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    if w ~= "" then s[w] = true end
  end
  f:close()
  return s
end

return stopwords
