using System.Reflection;

namespace Clearwing;

/// <summary>This build's version, as a person reads it ("1.4.0"): the informational version without its source-revision suffix.</summary>
public static class ProgramVersion
{
    static readonly Lazy<string> Read = new(() =>
    {
        var assembly = typeof(ProgramVersion).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (informational is { Length: > 0 })
        {
            var plus = informational.IndexOf('+');
            return plus > 0 ? informational[..plus] : informational;
        }
        return assembly.GetName().Version?.ToString(3) ?? "0.0.0";
    });

    public static string Text => Read.Value;
}
