using System.Text;

namespace Clearwing.Scoring;

/// <summary>
/// A parsed CVSS vector of any supported version. Printing gives the canonical form: the prefix and the present
/// metrics in the specification's order (for 4.0 that is the only accepted order, so printing returns the input).
/// </summary>
public sealed record CvssVector
{
    readonly sbyte[] _values;

    internal CvssVector(CvssGrammar grammar, sbyte[] values) => (Grammar, _values) = (grammar, values);

    internal CvssGrammar Grammar { get; }

    public CvssVersion Version => Grammar.Version;

    /// <summary>The value given for a metric ("N", "POC", "Clear", "X"), or null when the vector omits it.</summary>
    /// <exception cref="ArgumentException">the version has no such metric.</exception>
    public string? this[string metric]
    {
        get
        {
            var m = Grammar.IndexOf(metric);
            return _values[m] >= 0 ? Grammar.Metrics[m].Values[_values[m]] : null;
        }
    }

    /// <summary>The index of the metric's value in its value list, -1 when absent.</summary>
    internal int Index(int metric) => _values[metric];

    /// <summary>True when the metric is present with a value other than "X"/"ND" (not defined).</summary>
    internal bool Defined(int metric) => _values[metric] >= 0 && _values[metric] != Grammar.Metrics[metric].NotDefined;

    /// <summary>Parses a vector: "CVSS:3.1/…", "CVSS:3.0/…", "CVSS:4.0/…", or a 2.0 vector without prefix (optionally in parentheses, as NVD wrote
    /// them).</summary>
    /// <exception cref="CvssFormatException">the text is not a valid vector; the message names the metric and value.</exception>
    public static CvssVector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var g in CvssGrammars.Prefixed)
            if (text.StartsWith(g.Prefix, StringComparison.Ordinal)) return g.Parse(text, text.AsSpan(g.Prefix.Length));
        if (text.StartsWith("CVSS:", StringComparison.Ordinal))
        {
            var end = text.IndexOf('/');
            throw new CvssFormatException(
                $"unsupported CVSS version prefix '{(end < 0 ? text : text[..end])}' " +
                "(supported: CVSS:3.0/, CVSS:3.1/, CVSS:4.0/, and 2.0 vectors without prefix)", "CVSS", end < 0 ? text[5..] : text[5..end]);
        }
        var body = text.AsSpan();
        if (body.StartsWith('(') && body.EndsWith(')')) body = body[1..^1];
        return CvssGrammars.V2.Parse(text, body);
    }

    public static bool TryParse(string text, out CvssVector? vector)
    {
        try
        {
            vector = Parse(text);
            return true;
        }
        catch (CvssFormatException)
        {
            vector = null;
            return false;
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder(Grammar.Prefix, 160);
        var first = true;
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] < 0) continue;
            if (!first) sb.Append('/');
            sb.Append(Grammar.Metrics[i].Name).Append(':').Append(Grammar.Metrics[i].Values[_values[i]]);
            first = false;
        }
        return sb.ToString();
    }

    public bool Equals(CvssVector? other) => other is not null && Grammar == other.Grammar && _values.AsSpan().SequenceEqual(other._values);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Grammar.Version);
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_values.AsSpan()));
        return hash.ToHashCode();
    }
}
