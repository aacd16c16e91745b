using System.Text;

namespace Clearwing.Findings;

/// <summary>SARIF §3.11.5 messages with placeholders: <c>{n}</c> is arguments[n], <c>{{</c> and <c>}}</c> are literal braces.</summary>
internal static class MessageTemplate
{
    public static string Format(string template, IReadOnlyList<string?>? arguments)
    {
        if (template.IndexOfAny(['{', '}']) < 0) return template;
        var sb = new StringBuilder(template.Length + 32);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                sb.Append(c);
                i++;
                continue;
            }
            if (c == '{')
            {
                int close = i + 1, n = 0;
                while (close < template.Length && char.IsAsciiDigit(template[close]) && n < 100_000) n = n * 10 + (template[close++] - '0');
                if (close > i + 1 && close < template.Length && template[close] == '}' && arguments is not null && n < arguments.Count)
                {
                    sb.Append(arguments[n]);
                    i = close;
                    continue;
                }
            }
            sb.Append(c); // an unmatched placeholder stays as written rather than failing the import
        }
        return sb.ToString();
    }
}
