using System.Text;
using System.Text.RegularExpressions;

namespace Clearwing.Routing;

/// <summary>
/// CODEOWNERS matching as GitHub documents it: patterns follow gitignore's rules, and of the lines whose pattern matches a path the
/// last one wins. A pattern with a slash at its start or in its middle is anchored at the repository's root; one without matches a
/// name at any depth; a trailing slash matches a folder and everything under it; <c>*</c> matches within one path segment and
/// <c>**</c> across segments; <c>?</c> one character of a segment. Paths are relative to the repository's root, '/'-separated.
/// </summary>
public sealed class CodeOwners
{
    readonly (PathOwnerRule Rule, Regex Pattern)[] _rules;

    public CodeOwners(IReadOnlyList<PathOwnerRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules.Select(r => (r, Compile(r.Pattern)))];
    }

    /// <summary>The rule that owns <paramref name="path"/>: the last whose pattern matches; null when none does.</summary>
    public PathOwnerRule? Match(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        path = path.Replace('\\', '/').TrimStart('/');
        for (var i = _rules.Length - 1; i >= 0; i--)
            if (_rules[i].Pattern.IsMatch(path)) return _rules[i].Rule;
        return null;
    }

    /// <summary>The pattern as a regular expression over a whole relative path.</summary>
    internal static Regex Compile(string pattern)
    {
        var folder = pattern.EndsWith('/');
        var body = pattern.TrimEnd('/');
        // Anchored when a slash starts it or sits inside it; otherwise the name may sit at any depth.
        var anchored = body.StartsWith('/') || body.Contains('/', StringComparison.Ordinal);
        body = body.TrimStart('/');
        if (body.Length == 0) return new Regex("^", RegexOptions.None, TimeSpan.FromSeconds(1));
        var regex = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '*' && i + 1 < body.Length && body[i + 1] == '*')
            {
                var slashAfter = i + 2 < body.Length && body[i + 2] == '/';
                // "**/" matches zero or more folders; a "**" elsewhere matches anything.
                regex.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*') regex.Append("[^/]*");
            else if (c == '?') regex.Append("[^/]");
            else if (c == '\\' && i + 1 < body.Length) regex.Append(Regex.Escape(body[++i].ToString()));
            else regex.Append(Regex.Escape(c.ToString()));
        }
        // A folder's pattern owns what is under it; a plain name owns the path itself and, when it is a folder, its contents; a last
        // segment with a wildcard owns only what it matches ("docs/*" owns docs/a.md, not docs/build/b.md, as GitHub documents).
        var last = body[(body.LastIndexOf('/') + 1)..];
        regex.Append(folder ? "/.*$" : last.AsSpan().IndexOfAny('*', '?') >= 0 && last != "**" ? "$" : "(?:/.*)?$");
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
    }
}
