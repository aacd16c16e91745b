using System.Text;

namespace Clearwing.Validation;

/// <summary>
/// A run's standard output and error, read as it comes, kept up to a limit shared by both. Past the limit the rest is read
/// and dropped (so the command never blocks on a full pipe while it is being stopped) and <paramref name="exceeded"/> is
/// called once.
/// </summary>
internal sealed class BoundedOutput(long limit, Action exceeded)
{
    long _read;
    int _signalled;

    /// <summary>True when some output was dropped.</summary>
    public bool Cut => Interlocked.Read(ref _read) > limit;

    /// <summary>Reads <paramref name="stream"/> to its end; the text kept (UTF-8, invalid bytes replaced).</summary>
    public async Task<string> ReadAsync(Stream stream)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            var before = Interlocked.Add(ref _read, n) - n;
            var room = Math.Max(0, limit - before);
            if (room > 0) kept.Write(buffer, 0, (int)Math.Min(room, n));
            if (before + n > limit && Interlocked.Exchange(ref _signalled, 1) == 0) exceeded();
        }
        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }
}
