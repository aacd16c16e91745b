using Clearwing.Hosting;
using Clearwing.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Clearwing.IntegrationTests.Support;

/// <summary>The application on a test database, wired as the hosts wire it (AddClearwing), on the test's clock.</summary>
public static class Wired
{
    public static IServiceProvider For(Database db, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time ?? TimeProvider.System);
        return services.AddClearwing(db).BuildServiceProvider();
    }

    public static T Get<T>(this IServiceProvider services) where T : notnull => services.GetRequiredService<T>();
}
