using Clearwing.Validation;

namespace Clearwing.Tests.Validation;

/// <summary>What a candidate patch's author label and diff must look like before the ladder tries it.</summary>
public sealed class PatchTextTests
{
    [Theory]
    [InlineData("model:claude-opus-4", "model", "claude-opus-4")]
    [InlineData("person:alice@example.org", "person", "alice@example.org")]
    [InlineData("person:token:ci", "person", "token:ci")]
    public void An_author_label_names_a_model_or_a_person(string label, string kind, string name)
    {
        var author = PatchAuthor.Parse(label);

        Assert.Equal(new PatchAuthor(kind, name), author);
        Assert.Equal(label, author.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("claude")]
    [InlineData("model:")]
    [InlineData("robot:r2")]
    [InlineData("Model:claude")]
    [InlineData("person:alice smith")]
    [InlineData("person:alice\n")]
    public void Anything_else_is_not_an_author(string label)
    {
        var refused = Assert.Throws<BadInputException>(() => PatchAuthor.Parse(label));

        Assert.Contains("model:NAME", refused.Message);
    }

    [Fact]
    public void A_person_by_default_is_the_callers_actor_made_printable()
    {
        Assert.Equal("person:local", PatchAuthor.Person("local").ToString());
        Assert.Equal("person:Alice_Smith", PatchAuthor.Person("Alice Smith").ToString());
        Assert.Equal(200, PatchAuthor.Person(new string('a', 300)).Name.Length);
    }

    [Theory]
    [InlineData("--- a/parser.c\n+++ b/parser.c\n@@ -1 +1 @@\n-a\n+b\n")]
    [InlineData("diff --git a/old.c b/new.c\nsimilarity index 100%\nrename from old.c\nrename to new.c\n")]
    [InlineData("Subject: [PATCH] fix\n\n---\n parser.c | 2 +-\n\ndiff --git a/parser.c b/parser.c\n--- a/parser.c\n+++ b/parser.c\n@@ -1 +1 @@\n")]
    public void A_unified_diff_passes_the_check(string diff) => PatchDiff.Check(diff, "fix.patch");

    [Theory]
    [InlineData("", "empty")]
    [InlineData("  \n", "empty")]
    [InlineData("make the buffer bigger", "not a unified diff")]
    [InlineData("--- a/parser.c\n+++ b/parser.c\n", "not a unified diff")]
    [InlineData("--- a/parser.c\n@@ -1 +1 @@\n+++ b/parser.c\n", "not a unified diff")]
    [InlineData("diff --git a/x b/x\n\0", "NUL")]
    public void What_is_plainly_not_a_diff_is_refused_naming_the_file(string diff, string reason)
    {
        var refused = Assert.Throws<BadInputException>(() => PatchDiff.Check(diff, "fix.patch"));

        Assert.StartsWith("fix.patch: ", refused.Message);
        Assert.Contains(reason, refused.Message);
    }

    [Fact]
    public void A_patch_over_sixteen_mebibytes_is_refused()
    {
        var diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n" + new string('+', PatchDiff.MaxBytes);

        Assert.Contains("at most 16 MiB", Assert.Throws<BadInputException>(() => PatchDiff.Check(diff, "big.patch")).Message);
    }
}
