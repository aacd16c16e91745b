using System.Text;
using Json.Schema;

namespace Clearwing;

/// <summary>What a failed JSON Schema evaluation says to a person: the deepest failing location (which explains most) and why.</summary>
internal static class JsonSchemaFailures
{
    /// <summary>
    /// The deepest failure of <paramref name="results"/> (evaluated with <see cref="OutputFormat.List"/>) as a JSONPath suffix and
    /// its reason with the keyword that failed; null when no node carries an error message.
    /// </summary>
    public static (string Path, string Reason)? Deepest(EvaluationResults results)
    {
        var failures = (results.Details ?? []).Append(results)
            .Where(d => d.Errors is { Count: > 0 })
            .Select(d => (Pointer: d.InstanceLocation.ToString(), Error: d.Errors!.First(), Via: d.EvaluationPath.ToString()))
            // An "if" that does not hold only chooses "else": what it reports is no failure of the document.
            .Where(f => !f.Via.Contains("/if/", StringComparison.Ordinal) && !f.Via.EndsWith("/if", StringComparison.Ordinal))
            .ToList();
        if (failures.Count == 0) return null;
        var (pointer, error, via) = failures.OrderByDescending(f => f.Pointer.Length).First();
        // A key that additionalProperties: false refuses fails against the "false" schema, which says nothing of a key.
        if (via.EndsWith("/additionalProperties", StringComparison.Ordinal))
            return (ToPath(pointer), "is not a key this object has (additionalProperties)");
        return (ToPath(pointer), $"{error.Value} ({error.Key})");
    }

    /// <summary>A JSON Pointer (RFC 6901) as a JSONPath suffix: <c>/components/0/name</c> → <c>.components[0].name</c>.</summary>
    public static string ToPath(string pointer)
    {
        var path = new StringBuilder();
        foreach (var raw in pointer.Split('/').Skip(1))
        {
            var segment = raw.Replace("~1", "/").Replace("~0", "~");
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit)) path.Append('[').Append(segment).Append(']');
            else if (segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$')) path.Append('.').Append(segment);
            else path.Append("['").Append(segment.Replace("'", "\\'")).Append("']");
        }
        return path.ToString();
    }
}
