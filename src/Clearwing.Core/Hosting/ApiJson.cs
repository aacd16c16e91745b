using System.Text.Json;
using System.Text.Json.Serialization;
using Clearwing.Cases;

namespace Clearwing.Hosting;

/// <summary>
/// The JSON of the REST API and of the command line's <c>--json</c>: one contract, so one set of options. camelCase names;
/// enums by name, never by number (a number would reach the database's CHECK constraints as a 500 instead of a 400); case
/// states by their stored snake_case names; nulls written, so a field is always there.
/// </summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions json)
    {
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // Before the general enum converter, which would otherwise win over the type's own attribute.
        json.Converters.Add(new CaseStateJson());
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }
}
