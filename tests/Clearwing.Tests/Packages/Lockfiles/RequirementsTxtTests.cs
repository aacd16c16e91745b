using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class RequirementsTxtTests
{
    static readonly LockfileContents Requirements = Fixture.Read(LockfileFormat.Requirements, "requirements/requirements.txt");

    [Fact]
    public void Only_pinned_requirements_are_packages_including_those_of_included_files()
    {
        Assert.Equal(["django@3.2.0", "jinja2@2.11.2", "markupsafe@1.1.1", "pyyaml@5.3.1", "requests@2.25.1"], Requirements.Displays());
    }

    [Fact]
    public void Hashes_extras_markers_and_comments_do_not_change_the_pin()
    {
        var django = Requirements.Get("django@3.2.0");
        Assert.Equal(("pkg:pypi/django@3.2.0", "requirements/requirements.txt", 5), (django.Purl.ToString(), django.File, django.Line));
        Assert.Equal(8, Requirements.Get("requests@2.25.1").Line);
    }

    [Fact]
    public void A_package_from_an_included_file_names_that_file()
    {
        var jinja = Requirements.Get("jinja2@2.11.2");
        Assert.Equal(("requirements/requirements-base.txt", 1), (jinja.File, jinja.Line));
    }

    [Fact]
    public void Unpinned_requirements_editables_urls_and_constraints_are_reported_as_skipped()
    {
        var skipped = Requirements.Notes.Select(n => (n.Line, n.Kind)).ToArray();
        Assert.Equal([(10, ScanProblemKind.Skipped), (11, ScanProblemKind.Skipped), (12, ScanProblemKind.Skipped), (13, ScanProblemKind.Skipped), (14, ScanProblemKind.Skipped), (15, ScanProblemKind.Skipped)], skipped);
        Assert.Contains("celery '>=5.0' is not pinned", Requirements.Notes[0].Reason);
        Assert.Contains("flask has no version", Requirements.Notes[1].Reason);
        Assert.Contains("'==1.26.*' is not pinned", Requirements.Notes[2].Reason);
    }

    [Fact]
    public void Without_the_file_on_disk_an_include_is_a_note_and_not_a_guess()
    {
        var contents = LockfileScanner.ReadText(LockfileFormat.Requirements, "-r base.txt\nrequests==2.31.0\n", "requirements.txt");
        Assert.Equal(["requests@2.31.0"], contents.Displays());
        Assert.Contains("base.txt", Assert.Single(contents.Notes).Reason);
    }

    [Theory]
    [InlineData("requirements.txt", true)]
    [InlineData("requirements-dev.txt", true)]
    [InlineData("requirements/base.txt", true)]
    [InlineData("notes.txt", false)]
    public void Requirements_files_are_found_by_name_or_folder(string path, bool found) =>
        Assert.Equal(found, LockfileScanner.FormatOf(path) == LockfileFormat.Requirements);
}
