using System.Diagnostics;

namespace Clearwing.IntegrationTests.Support;

/// <summary>git on the host, for tests that build repositories for reproducers and patches to check out.</summary>
internal static class Git
{
    /// <summary>Runs git in <paramref name="folder"/>; its standard output, trimmed. A failure fails the test with git's error.</summary>
    public static string Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        return output.Trim();
    }
}
