using Clearwing.Findings;
using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class MalformedLockfileTests
{
    public static TheoryData<LockfileFormat, string, int, string> Cases => new()
    {
        { LockfileFormat.NuGet, "malformed/nuget/packages.lock.json", 8, "not valid JSON" },
        { LockfileFormat.Npm, "malformed/npm-v3/package-lock.json", 7, "packages[\"node_modules/minimist\"] must be an object" },
        { LockfileFormat.Npm, "malformed/npm-v2/package-lock.json", 7, "not valid JSON" },
        { LockfileFormat.Yarn, "malformed/yarn-v1/yarn.lock", 7, "expected an entry such as" },
        { LockfileFormat.Yarn, "malformed/yarn-berry/yarn.lock", 7, "double-quoted string is not closed" },
        { LockfileFormat.Pnpm, "malformed/pnpm-v6/pnpm-lock.yaml", 10, "'react' is not a package key such as name@1.0.0" },
        { LockfileFormat.Pnpm, "malformed/pnpm-v9/pnpm-lock.yaml", 8, "a tab in the indentation" },
        { LockfileFormat.Poetry, "malformed/poetry/poetry.lock", 6, "package pytz has no version" },
        { LockfileFormat.Requirements, "malformed/requirements/requirements.txt", 3, "'==1.0' is not a requirement" },
        { LockfileFormat.Cargo, "malformed/cargo/Cargo.lock", 9, "expected ',' or ']' in an array" },
        { LockfileFormat.GoSum, "malformed/go/go.sum", 3, "expected 'module version hash'" },
        { LockfileFormat.Gemfile, "malformed/gemfile/Gemfile.lock", 5, "expected a spec such as 'rack (3.0.8)'" },
        { LockfileFormat.Composer, "malformed/composer/composer.lock", 3, "\"packages\" must be an array" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_lockfile_is_one_error_naming_the_file_the_line_and_the_reason(LockfileFormat format, string file, int line, string reason)
    {
        var e = Assert.Throws<MalformedInputException>(() => Fixture.Read(format, file));
        Assert.Equal(file, e.File);
        Assert.Equal($"line {line}", e.JsonPath);
        Assert.Contains(reason, e.Reason);
        Assert.Equal($"{file}: line {line}: {e.Reason}", e.Message);
    }

    [Fact]
    public void Every_format_has_a_malformed_fixture()
    {
        var covered = Cases.Select(c => c.Data.Item1).Distinct().Order();
        Assert.Equal(Enum.GetValues<LockfileFormat>().Order(), covered);
    }
}
