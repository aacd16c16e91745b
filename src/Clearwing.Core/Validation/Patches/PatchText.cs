using System.Text;
using System.Text.RegularExpressions;

namespace Clearwing.Validation;

/// <summary>Who wrote a candidate patch: a model (<c>model:NAME</c>) or a person (<c>person:LOGIN</c>).</summary>
/// <param name="Kind">"model" or "person".</param>
/// <param name="Name">The model's name or the person's login: 1 to 200 printable characters, no white space.</param>
public sealed partial record PatchAuthor(string Kind, string Name)
{
    /// <summary>Reads a label such as <c>model:claude-opus-4</c> or <c>person:alice@example.org</c>.</summary>
    /// <exception cref="BadInputException">Anything else, saying what a label looks like.</exception>
    public static PatchAuthor Parse(string label)
    {
        var match = Label().Match(label);
        if (!match.Success)
            throw new BadInputException(
                $"'{label}' is not an author: expected model:NAME (the model that wrote the patch) or person:LOGIN (the person who did).");
        return new PatchAuthor(match.Groups[1].Value, match.Groups[2].Value);
    }

    /// <summary>The person a caller is, as the default author of what they add (their actor, white space replaced).</summary>
    public static PatchAuthor Person(string actor)
    {
        var login = actor.Length == 0 ? "unknown" : Unprintable().Replace(actor, "_");
        return new PatchAuthor("person", login.Length > 200 ? login[..200] : login);
    }

    /// <summary>"model:NAME" or "person:LOGIN".</summary>
    public override string ToString() => $"{Kind}:{Name}";

    [GeneratedRegex(@"^(model|person):([^\s\p{C}]{1,200})\z")]
    private static partial Regex Label();

    [GeneratedRegex(@"[\s\p{C}]")]
    private static partial Regex Unprintable();
}

/// <summary>
/// The sanity check a candidate patch passes before it is stored: text that is a unified diff at all. Whether it applies is
/// for the ladder to find out (<c>git apply --check</c> on the target); this refuses at once what is plainly not a diff.
/// </summary>
public static class PatchDiff
{
    /// <summary>Largest patch, in bytes of UTF-8.</summary>
    public const int MaxBytes = 16 << 20;

    /// <summary>Refuses <paramref name="diff"/> (named <paramref name="file"/> in the error) unless it is text of at most
    /// <see cref="MaxBytes"/> with a file header: <c>diff --git</c>, or <c>---</c> then <c>+++</c> then a hunk <c>@@ -</c>.</summary>
    /// <exception cref="BadInputException">Empty, too large, binary, or no file header and hunk found.</exception>
    public static void Check(string diff, string file)
    {
        if (string.IsNullOrWhiteSpace(diff)) throw new BadInputException($"{file}: the patch is empty.");
        if (Encoding.UTF8.GetByteCount(diff) > MaxBytes) throw new BadInputException($"{file}: a patch is at most {MaxBytes >> 20} MiB.");
        if (diff.Contains('\0'))
            throw new BadInputException($"{file}: not a unified diff (it holds NUL bytes; binary changes go in a git binary patch).");
        var lines = diff.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            // A git diff header stands alone: a rename or a mode change has no hunk.
            if (lines[i].StartsWith("diff --git ", StringComparison.Ordinal)) return;
            if (lines[i].StartsWith("--- ", StringComparison.Ordinal) && i + 2 < lines.Length
                && lines[i + 1].StartsWith("+++ ", StringComparison.Ordinal) && lines[i + 2].StartsWith("@@ -", StringComparison.Ordinal))
                return;
        }
        throw new BadInputException(
            $"{file}: not a unified diff: no 'diff --git' header and no '--- a/FILE', '+++ b/FILE', '@@ -…' lines " +
            "(make one with git diff or diff -u).");
    }
}
