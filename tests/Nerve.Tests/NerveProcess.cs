using System.Diagnostics;

namespace Nerve.Tests;

/// <summary>The built `nerve` program, run as a user runs it: exit code, stdout and stderr.</summary>
internal static class NerveProcess
{
    public static (int Code, string Out, string Err) Run(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Nerve.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        Assert.True(p.WaitForExit(120_000), "nerve did not finish");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
