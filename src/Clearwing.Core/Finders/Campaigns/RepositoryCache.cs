using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Clearwing.Finders.Campaigns;

/// <summary>
/// Where a campaign's repositories are kept (docs/campaigns.md, "The repository cache"): each repository once, as a bare clone under
/// <c>repositories/</c>, fetched again when a campaign asks for it; each campaign's checkouts under <c>checkouts/CAMPAIGN/</c>, made
/// from the bare clone at the commit the campaign resolved its revision to, so that finders that build or write into the checkout
/// never touch another campaign's. Git runs without a terminal (a repository that needs credentials fails instead of prompting) and
/// with the <c>ext::</c> transport refused (a URL that runs a command).
/// </summary>
public sealed class RepositoryCache(string folder)
{
    readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>The cache's folder.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The default cache: <c>$XDG_CACHE_HOME/clearwing</c>, else <c>~/.cache/clearwing</c>.</summary>
    public static string DefaultFolder(Func<string, string?> environment) =>
        Path.Combine(environment("XDG_CACHE_HOME") is { Length: > 0 } cache ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "clearwing");

    /// <summary>The repository's name: the last part of its path, without <c>.git</c> (<c>https://host/org/libfoo.git</c> → libfoo).</summary>
    public static string NameOf(string url)
    {
        var trimmed = url.Trim().TrimEnd('/', '\\');
        var name = trimmed[(trimmed.LastIndexOfAny(['/', '\\', ':']) + 1)..];
        return name.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name;
    }

    /// <summary>Whether <paramref name="url"/> is a remote (a scheme, or git's <c>user@host:path</c>) rather than a local path.</summary>
    public static bool IsRemote(string url) =>
        url.Contains("://", StringComparison.Ordinal) || (url.IndexOf(':') is > 1 and var colon && !url[..colon].Contains('/'));

    /// <summary>
    /// Clones <paramref name="url"/> into the cache, or fetches it when it is there, and returns the commit
    /// <paramref name="revision"/> (a branch, tag or commit; null: the repository's HEAD) names now.
    /// </summary>
    public async Task<string> ResolveAsync(string url, string? revision, CancellationToken ct)
    {
        var bare = BareFolder(url);
        var gate = _locks.GetOrAdd(bare, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (!Directory.Exists(bare))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(bare)!);
                var temporary = bare + ".partial";
                if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
                await RunAsync(null, ct, "clone", "--bare", "--quiet", "--", url, temporary);
                Directory.Move(temporary, bare);
            }
            else
                await RunAsync(bare, ct, "fetch", "--quiet", "--prune", "--force", "--", url,
                    "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", "+HEAD:refs/clearwing/head");
            var name = revision ?? (File.Exists(Path.Combine(bare, "refs", "clearwing", "head")) ? "refs/clearwing/head" : "HEAD");
            try
            {
                return (await RunAsync(bare, ct, "rev-parse", "--verify", "--quiet", "--end-of-options", name + "^{commit}")).Trim();
            }
            catch (GitException)
            {
                throw new BadInputException($"The repository {url} has no revision '{revision ?? "HEAD"}'.");
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A checkout of <paramref name="url"/> at <paramref name="commit"/> for <paramref name="campaign"/>'s repository
    /// <paramref name="index"/>, made when missing and put back at the commit, clean, when there.</summary>
    public async Task<Checkout> CheckoutAsync(string url, string commit, long campaign, int index, CancellationToken ct)
    {
        var bare = BareFolder(url);
        var checkout = Path.Combine(Folder, "checkouts", campaign.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{index}-{Safe(NameOf(url))}");
        if (!Directory.Exists(Path.Combine(checkout, ".git")))
        {
            if (Directory.Exists(checkout)) Directory.Delete(checkout, recursive: true);
            Directory.CreateDirectory(Path.GetDirectoryName(checkout)!);
            await RunAsync(null, ct, "clone", "--quiet", "--shared", "--no-checkout", "--", bare, checkout);
        }
        await RunAsync(checkout, ct, "checkout", "--quiet", "--force", "--detach", commit);
        await RunAsync(checkout, ct, "clean", "-q", "-f", "-d", "-x");
        return new Checkout(checkout, commit);
    }

    /// <summary>Where a campaign's finders write their findings files for repository <paramref name="index"/>.</summary>
    public string OutputFolder(long campaign, int index, int finder, string kind) =>
        Path.Combine(Folder, "output", campaign.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{index}", $"{finder}-{kind}");

    string BareFolder(string url)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..16];
        return Path.Combine(Folder, "repositories", $"{Safe(NameOf(url))}-{key}.git");
    }

    static string Safe(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]).TrimStart('.');
        return safe.Length == 0 ? "repository" : safe[..Math.Min(safe.Length, 60)];
    }

    /// <summary>Runs git and returns its standard output; a failure is a <see cref="GitException"/> with the end of its standard error.</summary>
    static async Task<string> RunAsync(string? workingFolder, CancellationToken ct, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingFolder ?? Directory.GetCurrentDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_ASKPASS"] = "";
        start.Environment["SSH_ASKPASS"] = "";
        start.Environment["GCM_INTERACTIVE"] = "never";
        foreach (var setting in new[] { "protocol.ext.allow=never", "advice.detachedHead=false", "core.hooksPath=/dev/null" })
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(setting);
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("Campaigns need git on the PATH: " + e.Message, e);
        }
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var stderr = (await error).Trim();
        if (process.ExitCode != 0)
            throw new GitException($"git {string.Join(' ', arguments.Where(a => a != "--"))} failed ({process.ExitCode}): " +
                (stderr.Length > 2000 ? "…" + stderr[^2000..] : stderr));
        return await output;
    }
}

/// <summary>A git command that failed, with its standard error: most often a URL, revision or credential to correct in the campaign
/// file; the campaign records it on the repository and a resume tries again.</summary>
public sealed class GitException(string message) : ClearwingException(ErrorKind.BadInput, message);
