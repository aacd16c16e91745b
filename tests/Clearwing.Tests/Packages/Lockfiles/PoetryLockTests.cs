using Clearwing.Packages;

namespace Clearwing.Tests.Packages.Lockfiles;

public sealed class PoetryLockTests
{
    static readonly LockfileContents Lock = Fixture.Read(LockfileFormat.Poetry, "poetry/poetry.lock");

    [Fact]
    public void Every_package_from_an_index_is_read_as_a_pypi_purl()
    {
        Assert.Equal(["asgiref@3.7.2", "colorama@0.4.6", "django@3.2.0", "pytest@7.4.0", "pytz@2023.3", "requests@2.25.1", "sqlparse@0.4.1", "urllib3@1.26.4"], Lock.Displays());
        var django = Lock.Get("django@3.2.0");
        Assert.Equal(("pkg:pypi/django@3.2.0", 18), (django.Purl.ToString(), django.Line));
    }

    [Fact]
    public void Direct_dependencies_come_from_pyproject_and_paths_from_the_lock()
    {
        Assert.Equal(["django@3.2.0", "pytest@7.4.0", "requests@2.25.1"], Lock.DirectOnes());
        Assert.Equal(["django@3.2.0", "asgiref@3.7.2"], Lock.Get("asgiref@3.7.2").Path);
        Assert.Equal(["requests@2.25.1", "urllib3@1.26.4"], Lock.Get("urllib3@1.26.4").Path);
    }

    [Fact]
    public void The_dev_category_marks_development_dependencies()
    {
        Assert.Equal(["colorama@0.4.6", "pytest@7.4.0"], Lock.DevelopmentOnes());
    }

    [Fact]
    public void A_git_source_is_skipped_with_a_note()
    {
        var note = Assert.Single(Lock.Notes);
        Assert.Equal((ScanProblemKind.Skipped, 98), (note.Kind, note.Line));
        Assert.Contains("internal-lib@0.3.0 comes from a git source", note.Reason);
    }

    /// <summary>The poetry.lock fixture read with this pyproject.toml beside it instead of its own.</summary>
    static LockfileContents WithPyproject(string pyproject)
    {
        var folder = Directory.CreateTempSubdirectory("clearwing-pyproject-");
        try
        {
            File.Copy(Fixture.PathTo("poetry/poetry.lock"), Path.Combine(folder.FullName, "poetry.lock"));
            File.WriteAllText(Path.Combine(folder.FullName, "pyproject.toml"), pyproject);
            return LockfileScanner.Read(LockfileFormat.Poetry, Path.Combine(folder.FullName, "poetry.lock"), "poetry.lock");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Pyproject_with_dotted_keys_keeps_its_direct_dependencies()
    {
        var contents = WithPyproject("""
            project.name = "billing"
            project.dependencies = ["sqlparse>=0.4"]
            tool.poetry.dependencies.python = "^3.10"
            tool.poetry.dependencies.Django = "3.2.0"
            tool.poetry.dependencies.requests.version = "^2.25"
            tool.poetry.group.dev.dependencies.pytest = "^7.0"
            """);
        Assert.Equal(["django@3.2.0", "pytest@7.4.0", "requests@2.25.1", "sqlparse@0.4.1"], contents.DirectOnes());
    }

    [Fact]
    public void Pyproject_with_inline_tables_keeps_its_direct_dependencies()
    {
        var contents = WithPyproject("""
            [tool.poetry]
            name = "billing"
            dependencies = { python = "^3.10", Django = "3.2.0", requests = { version = "^2.25", extras = ["socks"] } }
            group = { dev = { dependencies = { pytest = "^7.0" } } }
            """);
        Assert.Equal(["django@3.2.0", "pytest@7.4.0", "requests@2.25.1"], contents.DirectOnes());
    }

    [Fact]
    public void Pyproject_mixing_headers_dotted_keys_and_inline_tables_keeps_its_direct_dependencies()
    {
        var contents = WithPyproject("""
            [project]
            name = "billing"
            dependencies = ["sqlparse>=0.4"]

            [tool.poetry]
            dependencies = { python = "^3.10", Django = "3.2.0" }
            group.dev.dependencies = { pytest = "^7.0" }

            [tool.poetry.group.lint.dependencies]
            colorama = "*"
            requests.version = "^2.25"
            """);
        Assert.Equal(["colorama@0.4.6", "django@3.2.0", "pytest@7.4.0", "requests@2.25.1", "sqlparse@0.4.1"], contents.DirectOnes());
    }
}
