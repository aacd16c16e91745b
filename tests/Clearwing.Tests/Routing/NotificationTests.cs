using System.Text;
using Clearwing.Routing;

namespace Clearwing.Tests.Routing;

/// <summary>The webhook signature's format (docs/notifications.md), the digest's hour, the settings and the e-mail level key.</summary>
public sealed class NotificationTests
{
    const string Secret = "whsec_clearwing_test";
    const long Timestamp = 1793955600; // 2026-11-06T09:00:00Z
    static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"n1","cases":[]}""");
    static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    [Fact]
    public void The_signature_is_HMAC_SHA256_of_the_timestamp_a_full_stop_and_the_body_as_a_known_vector_says()
    {
        // From Python's hmac and from `openssl dgst -sha256 -hmac`, over the same bytes.
        const string Expected = "785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464";
        Assert.Equal(Expected, WebhookSignature.Compute(Secret, Timestamp, Body));
        Assert.Equal($"t=1793955600,v1={Expected}", WebhookSignature.Header(Secret, Timestamp, Body));
    }

    [Fact]
    public void A_receiver_accepts_the_signed_body_and_refuses_a_tampered_one_another_secret_or_an_old_timestamp()
    {
        var header = WebhookSignature.Header(Secret, Timestamp, Body);
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Secret, header, Body, SignedAt.AddMinutes(4)));
        var tampered = Encoding.UTF8.GetBytes("""{"id":"n2","cases":[]}""");
        Assert.Equal(WebhookVerdict.Mismatch, WebhookSignature.Verify(Secret, header, tampered, SignedAt));
        Assert.Equal(WebhookVerdict.Mismatch, WebhookSignature.Verify("another secret", header, Body, SignedAt));
        // The timestamp is signed: moving it breaks the signature; replaying the delivery later is stale.
        Assert.Equal(WebhookVerdict.Mismatch, WebhookSignature.Verify(Secret, header.Replace("t=1793955600", "t=1793955900"), Body, SignedAt));
        Assert.Equal(WebhookVerdict.Stale, WebhookSignature.Verify(Secret, header, Body, SignedAt.AddMinutes(6)));
        Assert.Equal(WebhookVerdict.Valid, WebhookSignature.Verify(Secret, header, Body, SignedAt.AddMinutes(6), TimeSpan.FromMinutes(10)));
        Assert.Equal(WebhookVerdict.Malformed, WebhookSignature.Verify(Secret, null, Body, SignedAt));
    }

    [Theory]
    [InlineData("t=1793955600,v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464", 1)]
    [InlineData("t=1793955600, v1=785DBCB598D96809397EE61FA4AF18EA0ABFA290197462E0F8CF861B4959A464", 1)]
    [InlineData("v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464,t=1793955600,v1=" +
        "0000000000000000000000000000000000000000000000000000000000000000,v2=later-scheme", 2)]
    public void The_header_reads_one_timestamp_and_every_v1_signature_skipping_other_schemes(string header, int signatures)
    {
        var parsed = WebhookSignature.Parse(header);
        Assert.NotNull(parsed);
        Assert.Equal(Timestamp, parsed.Timestamp);
        Assert.Equal(signatures, parsed.Signatures.Count);
        Assert.Equal("785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464", parsed.Signatures[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464")]
    [InlineData("t=1793955600")]
    [InlineData("t=1793955600,t=1793955601,v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464")]
    [InlineData("t=-5,v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464")]
    [InlineData("t=1793955600,v1=785dbcb5")]
    [InlineData("t=1793955600,v1=zz5dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464")]
    [InlineData("t=1793955600;v1=785dbcb598d96809397ee61fa4af18ea0abfa290197462e0f8cf861b4959a464")]
    public void A_header_without_one_timestamp_and_a_well_formed_v1_is_malformed(string header)
    {
        Assert.Null(WebhookSignature.Parse(header));
        Assert.Equal(WebhookVerdict.Malformed, WebhookSignature.Verify(Secret, header, Body, SignedAt));
    }

    [Theory]
    // Berlin is UTC+1 in November: 08:00 there is 07:00 UTC; after it, the next day's.
    [InlineData("Europe/Berlin", "2026-11-02T09:00:00Z", "2026-11-03T07:00:00Z")]
    [InlineData("Europe/Berlin", "2026-11-02T06:59:00Z", "2026-11-02T07:00:00Z")]
    [InlineData("Europe/Berlin", "2026-11-02T07:00:00Z", "2026-11-03T07:00:00Z")]
    // Summer time starts on 2026-03-29 at 02:00 in Berlin: 08:00 is then 06:00 UTC.
    [InlineData("Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T06:00:00Z")]
    [InlineData("UTC", "2026-11-02T09:00:00Z", "2026-11-03T08:00:00Z")]
    [InlineData("Asia/Tokyo", "2026-11-02T09:00:00Z", "2026-11-02T23:00:00Z")]
    public void The_digest_goes_at_the_next_digest_hour_in_the_projects_zone(string zone, string after, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            NotificationStore.NextDigest(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture),
                TimeZoneInfo.FindSystemTimeZoneById(zone), 8));

    [Fact]
    public void A_digest_hour_a_clock_change_skips_goes_an_hour_later()
    {
        // Berlin's clocks go from 02:00 to 03:00 on 2026-03-29: a 02:00 digest goes at 03:00 local, 01:00 UTC.
        var next = NotificationStore.NextDigest(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero),
            TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), 2);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void Settings_come_from_the_environment_with_defaults_and_a_malformed_one_is_refused_by_name()
    {
        var none = NotificationOptions.FromEnvironment(_ => null);
        Assert.Null(none.SmtpHost);
        Assert.Equal((25, 8, 12), (none.SmtpPort, none.DigestHour, none.MaxAttempts));
        Assert.Equal("http://127.0.0.1:8080/cases/abc", none.CaseLink("abc"));

        var set = new Dictionary<string, string>
        {
            ["CLEARWING_PUBLIC_URL"] = "https://cw.example/program", ["CLEARWING_SMTP_HOST"] = "mail.example", ["CLEARWING_SMTP_PORT"] = "587",
            ["CLEARWING_SMTP_SECURITY"] = "starttls", ["CLEARWING_SMTP_USER"] = "cw", ["CLEARWING_SMTP_PASSWORD"] = " p w ",
            ["CLEARWING_DIGEST_HOUR"] = "17",
        };
        var options = NotificationOptions.FromEnvironment(set.GetValueOrDefault);
        Assert.Equal(("mail.example", 587, SmtpSecurity.StartTls, "cw", " p w ", 17),
            (options.SmtpHost, options.SmtpPort, options.SmtpSecurity, options.SmtpUser, options.SmtpPassword, options.DigestHour));
        Assert.Equal("https://cw.example/program/cases/abc", options.CaseLink("abc"));
        Assert.DoesNotContain("p w", options.ToString(), StringComparison.Ordinal);

        var refused = Assert.Throws<BadInputException>(() => NotificationOptions.FromEnvironment(
            name => name == "CLEARWING_DIGEST_HOUR" ? "24" : null));
        Assert.StartsWith("CLEARWING_DIGEST_HOUR='24'", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", EmailDetail.Summary)]
    [InlineData("intake: {emailDetail: link}\n", EmailDetail.Link)]
    [InlineData("intake: {emailDetail: summary}\n", EmailDetail.Summary)]
    [InlineData("intake: {emailDetail: full}\n", EmailDetail.Full)]
    public void The_email_level_is_the_policys_and_summary_by_default(string yaml, EmailDetail expected) =>
        Assert.Equal(expected, IntakePolicyReader.Read($"project: zlib\nowner: z\n{yaml}", "p").Intake.EmailDetail);
}
