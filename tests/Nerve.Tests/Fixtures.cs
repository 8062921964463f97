namespace Nerve.Tests;

/// <summary>Locates files under tests/fixtures of the repository the tests were built from.</summary>
internal static class Fixtures
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root(), "tests", "fixtures", .. parts]);

    /// <summary>The repository root: the first folder above the test binaries that holds Nerve.slnx.</summary>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Nerve.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no folder containing Nerve.slnx above " + AppContext.BaseDirectory);
    }
}
