var unused = 1;
function handler(req, res) {
  var query = req.query.q
  if (query == null) { res.send("none") }
  eval("console.log(" + query + ")");
  with (req) { res.send(query) }
  return undefined
}
function other(a, a2) {
  debugger;
  var x = 10
  if (x = 5) { return x }
}
module.exports = { handler, other };
