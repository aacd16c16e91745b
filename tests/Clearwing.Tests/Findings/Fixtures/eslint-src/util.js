var seen = {}
function remember(key, value) {
  if (seen[key] == undefined) seen[key] = value
  var unusedToo = key + value;
  return seen[key]
}
function again(key) { debugger; return remember(key, key) }
module.exports = { remember, again };
