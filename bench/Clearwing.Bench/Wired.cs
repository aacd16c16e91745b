using Clearwing.Hosting;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.Bench;

/// <summary>The product on a bench database, wired as its hosts wire it (AddClearwing).</summary>
static class Wired
{
    public static T Get<T>(Database db) where T : notnull => new ServiceCollection().AddClearwing(db).BuildServiceProvider().GetRequiredService<T>();
}
