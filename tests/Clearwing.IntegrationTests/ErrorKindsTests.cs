using System.Reflection;
using Clearwing.Access;
using Clearwing.Cases;
using Clearwing.Cli;
using Clearwing.Server;

namespace Clearwing.IntegrationTests;

/// <summary>One error taxonomy: every refusal the core can throw maps to one HTTP status and one exit code.</summary>
public sealed class ErrorKindsTests
{
    static readonly Assembly Core = typeof(ErrorKinds).Assembly;

    /// <summary>An instance of each exception type, built from its constructor with plain values.</summary>
    static Exception Instance(Type type)
    {
        if (type == typeof(TransitionRefusedException))
        {
            var refused = (TransitionDecision.Refused)Lifecycle.Decide(CaseState.New, new TransitionRequest(CaseState.Disclosed),
                new OrgRole(OrgKind.Coordinator, Role.Admin));
            return new TransitionRefusedException(refused);
        }
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).OrderBy(c => c.GetParameters().Length).First();
        var args = constructor.GetParameters().Select(p => p.ParameterType switch
        {
            var t when t == typeof(string) => "x",
            var t when t == typeof(long) => 1L,
            var t when t == typeof(int) => 1,
            var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => Array.CreateInstance(t.GetGenericArguments()[0], 0),
            var t when typeof(Exception).IsAssignableFrom(t) => null,
            var t => p.HasDefaultValue ? p.DefaultValue : throw new InvalidOperationException($"{type.Name}: no sample value for {t.Name}"),
        }).ToArray();
        return (Exception)constructor.Invoke(args);
    }

    public static TheoryData<string> ExceptionTypes() =>
        new(Core.GetTypes().Where(t => typeof(Exception).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.FullName!));

    [Theory, MemberData(nameof(ExceptionTypes))]
    public void Every_exception_the_core_defines_maps_to_a_status_and_an_exit_code(string typeName)
    {
        var error = Instance(Core.GetType(typeName)!);

        var kind = ErrorKinds.Of(error);

        Assert.NotNull(kind);
        Assert.InRange(Problems.Status(kind.Value), 400, 599);
        Assert.Contains(ExitCode.Of(kind.Value), new[] { ExitCode.Failure, ExitCode.BadInput });
    }

    [Fact]
    public void The_core_defines_the_refusals_the_hosts_map()
    {
        Assert.True(ExceptionTypes().Count >= 15, $"only {ExceptionTypes().Count} exception types found");
        Assert.Equal(Enum.GetValues<ErrorKind>().Length, Enum.GetValues<ErrorKind>().Select(Problems.Status).Distinct().Count());
    }

    [Theory]
    [InlineData(ErrorKind.NotFound, 404, 2)]
    [InlineData(ErrorKind.Forbidden, 403, 1)]
    [InlineData(ErrorKind.BadInput, 400, 2)]
    [InlineData(ErrorKind.Conflict, 409, 2)]
    [InlineData(ErrorKind.TooLarge, 413, 2)]
    [InlineData(ErrorKind.Unavailable, 503, 1)]
    public void Each_kind_has_its_status_and_exit_code(ErrorKind kind, int status, int exit)
    {
        Assert.Equal(status, Problems.Status(kind));
        Assert.Equal(exit, ExitCode.Of(kind));
    }

    [Fact]
    public void A_bug_is_not_a_refusal()
    {
        Assert.Null(ErrorKinds.Of(new InvalidOperationException("a bug")));
        Assert.Null(ErrorKinds.Of(new ArgumentException("a programming error, not the user's input")));
        Assert.Null(ErrorKinds.Of(new FormatException("a framework format error is not Clearwing's parser refusing input")));
    }

    [Theory]
    [InlineData(CaseState.New, CaseState.Disclosed, 409)]
    [InlineData(CaseState.Triage, CaseState.Rejected, 400)]
    public void A_refused_move_keeps_its_status(CaseState from, CaseState to, int status)
    {
        var refused = (TransitionDecision.Refused)Lifecycle.Decide(from, new TransitionRequest(to), new OrgRole(OrgKind.Coordinator, Role.Admin));

        Assert.Equal(status, Problems.Status(new TransitionRefusedException(refused).Kind));
    }

    [Fact]
    public async Task A_database_that_cannot_be_reached_is_unavailable_exit_1_with_its_address()
    {
        // A port nothing listens on: the connection is refused at once.
        var (exit, _, error) = await Clearwing.IntegrationTests.Cli.CliTests.RunAs(null,
            "cases", "list", "--db", "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2");

        Assert.Equal(ExitCode.Failure, exit);
        Assert.Contains("postgres://127.0.0.1:1/none cannot be reached", error);
    }
}
