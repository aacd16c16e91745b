namespace Clearwing.Scoring;

/// <summary>One metric of a vector: its abbreviation and its values in the order the calculators index them.</summary>
internal sealed record CvssMetric(string Name, string[] Values, bool Mandatory)
{
    /// <summary>The index of "X" (3.x, 4.0) or "ND" (2.0), the explicit "not defined"; -1 for base metrics.</summary>
    public int NotDefined { get; } = Array.FindIndex(Values, v => v is "X" or "ND");
}

/// <summary>
/// The vector grammar of one CVSS version: prefix, metrics and whether their order is mandatory (only 4.0, §7 of its
/// specification; 2.0 and 3.x accept any order and print the specification's order).
/// </summary>
internal sealed class CvssGrammar(CvssVersion version, string prefix, CvssMetric[] metrics, bool ordered)
{
    public CvssVersion Version { get; } = version;
    public string Prefix { get; } = prefix;
    public CvssMetric[] Metrics { get; } = metrics;

    public int IndexOf(string metric)
    {
        for (var i = 0; i < Metrics.Length; i++)
            if (Metrics[i].Name == metric) return i;
        throw new ArgumentException($"CVSS {Version.Label()} has no metric {metric}", nameof(metric));
    }

    /// <summary>Parses the part after the prefix into value indexes (-1 = metric absent).</summary>
    public CvssVector Parse(string text, ReadOnlySpan<char> body)
    {
        var values = new sbyte[Metrics.Length];
        values.AsSpan().Fill(-1);
        if (body.IsEmpty) throw new CvssFormatException($"CVSS {Version.Label()} vector '{text}' has no metrics");
        var last = -1;
        foreach (var range in body.Split('/'))
        {
            var part = body[range];
            var colon = part.IndexOf(':');
            if (colon < 0) throw new CvssFormatException($"'{part}' in CVSS {Version.Label()} vector '{text}' is not METRIC:VALUE", part.ToString());
            var name = part[..colon];
            var value = part[(colon + 1)..];
            var m = Find(name);
            if (m < 0)
                throw new CvssFormatException($"unknown CVSS {Version.Label()} metric '{name}' (value '{value}')", name.ToString(), value.ToString());
            if (values[m] >= 0)
                throw new CvssFormatException(
                    $"metric {name} appears twice in CVSS {Version.Label()} vector '{text}'", name.ToString(), value.ToString());
            if (ordered && m < last)
                throw new CvssFormatException(
                    $"metric {name} is out of order in CVSS {Version.Label()} vector '{text}': it must come before {Metrics[last].Name}",
                    name.ToString(), value.ToString());
            var v = FindValue(Metrics[m].Values, value);
            if (v < 0)
                throw new CvssFormatException(
                    $"unknown value '{value}' for CVSS {Version.Label()} metric {name} (allowed: {string.Join(", ", Metrics[m].Values)})",
                    name.ToString(), value.ToString());
            values[m] = (sbyte)v;
            last = m;
        }
        for (var i = 0; i < Metrics.Length; i++)
            if (Metrics[i].Mandatory && values[i] < 0)
                throw new CvssFormatException($"CVSS {Version.Label()} vector '{text}' lacks mandatory metric {Metrics[i].Name}", Metrics[i].Name);
        return new CvssVector(this, values);
    }

    static int FindValue(string[] allowed, ReadOnlySpan<char> value)
    {
        for (var i = 0; i < allowed.Length; i++)
            if (value.SequenceEqual(allowed[i])) return i;
        return -1;
    }

    int Find(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Metrics.Length; i++)
            if (name.SequenceEqual(Metrics[i].Name)) return i;
        return -1;
    }
}
