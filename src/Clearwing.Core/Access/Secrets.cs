using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;

namespace Clearwing.Access;

/// <summary>Token secrets and password hashes. Nothing here is ever stored or logged in the clear.</summary>
public static class Secrets
{
    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256.</summary>
    public const int PasswordIterations = 600_000;
    /// <summary>The longest password a member may set.</summary>
    public const int MaxPasswordLength = 1024;
    const string TokenPrefix = "cw_";

    /// <summary>The meter of <c>clearwing.access.password_derivations</c>: PBKDF2 runs, tagged with their iterations.</summary>
    internal static readonly Meter Meter = new("Clearwing.Access");

    /// <summary>What logins cost the server, and proof that an unknown login pays the same (see <see cref="VerifyPassword"/>).</summary>
    static readonly Counter<long> Derivations = Meter.CreateCounter<long>(
        "clearwing.access.password_derivations", description: "PBKDF2 password derivations, by iterations");

    /// <summary>A new API token: "cw_" and 256 random bits, base64url. Shown once.</summary>
    public static string NewToken() => TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>What the store keeps of a token: its SHA-256. A token has 256 bits of entropy, so a slow hash adds nothing.</summary>
    public static string TokenHash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool LooksLikeToken(string value) =>
        value.StartsWith(TokenPrefix, StringComparison.Ordinal) && value.Length == TokenPrefix.Length + 43;

    /// <summary>A public id for a token, member-visible in listings: 64 random bits.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A one-time setup code (<see cref="SetupCodeStore"/>): 256 random bits, base64url, safe in a URL as it is.</summary>
    public static string NewSetupCode() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A password a person did not choose (admin init without one): 128 random bits.</summary>
    public static string NewPassword() => Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>"pbkdf2-sha256$ITERATIONS$SALT$HASH" with a 128-bit random salt and a 256-bit hash.</summary>
    public static string HashPassword(string password)
    {
        CheckPassword(password);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Derive(password, salt, PasswordIterations, 32);
        return $"pbkdf2-sha256${PasswordIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>
    /// Checks a password against a stored hash in constant time. A malformed hash never verifies. Without a stored hash
    /// (an unknown login, a member without web login), and for a password longer than any stored one can be, the full
    /// derivation still runs on the given password, so neither the login's existence nor the password's length shows in
    /// the time taken. (HMAC hashes a key longer than its block once, so a long password adds one SHA-256 pass over it,
    /// bounded by the request size limit, not 600,000.)
    /// </summary>
    public static bool VerifyPassword(string password, string? stored)
    {
        var parts = (stored ?? DummyHash).Split('$');
        if (parts is not ["pbkdf2-sha256", var iterationText, var saltText, var hashText]
            || !int.TryParse(iterationText, out var iterations) || iterations < 1)
            return false;
        var expected = Convert.FromBase64String(hashText);
        var actual = Derive(password, Convert.FromBase64String(saltText), iterations, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected) & stored is not null & password.Length <= MaxPasswordLength;
    }

    static byte[] Derive(string password, byte[] salt, int iterations, int length)
    {
        Derivations.Add(1, new KeyValuePair<string, object?>("iterations", iterations));
        return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);
    }

    public static void CheckPassword(string password)
    {
        if (password.Length < 12) throw new BadInputException("A password needs at least 12 characters.");
        if (password.Length > MaxPasswordLength) throw new BadInputException($"A password may have at most {MaxPasswordLength} characters.");
    }

    static readonly string DummyHash = $"pbkdf2-sha256${PasswordIterations}$AAAAAAAAAAAAAAAAAAAAAA==${Convert.ToBase64String(new byte[32])}";

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
