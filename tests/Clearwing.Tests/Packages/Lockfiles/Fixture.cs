using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

/// <summary>The lockfiles under Fixtures/, copied beside the test binaries.</summary>
internal static class Fixture
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Packages", "Lockfiles", "Fixtures");

    public static string PathTo(string relative) => Path.Combine(Root, relative);

    /// <summary>Reads a fixture as the scanner would, named by its path under Fixtures/.</summary>
    public static LockfileContents Read(LockfileFormat format, string relative) =>
        LockfileScanner.Read(format, PathTo(relative), relative);

    /// <summary>The one package with this name@version (as <see cref="LockedPackage.Display"/> shows it).</summary>
    public static LockedPackage Get(this LockfileContents contents, string display) =>
        Assert.Single(contents.Packages, p => p.Display == display);

    /// <summary>name@version of every package, sorted, for whole-file comparisons.</summary>
    public static string[] Displays(this LockfileContents contents) =>
        [.. contents.Packages.Select(p => p.Display).Order(StringComparer.Ordinal)];

    public static string[] DirectOnes(this LockfileContents contents) =>
        [.. contents.Packages.Where(p => p.Direct).Select(p => p.Display).Order(StringComparer.Ordinal)];

    public static string[] DevelopmentOnes(this LockfileContents contents) =>
        [.. contents.Packages.Where(p => p.Development).Select(p => p.Display).Order(StringComparer.Ordinal)];
}
