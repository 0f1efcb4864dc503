using System.Diagnostics;

namespace ClonusCds.Browser.Tests;

/// <summary>
/// The browser the tests drive: Debian's chromium at /usr/bin/chromium. Playwright's own browser
/// download cannot reach the internet from these machines, so when chromium is missing it is
/// installed with apt-get (as root, or through <c>sudo -n</c>), and the test output says so. When it
/// still cannot be provisioned the tests fail with instructions: they are never skipped silently.
/// </summary>
internal static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Returns the chromium path, installing the package first when it is missing.</summary>
    public static string Provision(Action<string> say)
    {
        if (File.Exists(ExecutablePath))
        {
            return ExecutablePath;
        }

        say($"Browser tests: {ExecutablePath} not found; installing Debian's chromium (apt-get install -y chromium){(Environment.IsPrivilegedProcess ? "" : " through sudo -n")}. This happens once per machine and takes a minute.");
        var log = new System.Text.StringBuilder();
        var installed = AptGet("install -y chromium", log) == 0
            // A fresh machine may not have package lists yet: update once, then try again.
            || (AptGet("update", log) == 0 && AptGet("install -y chromium", log) == 0);
        if (!installed || !File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Browser tests need chromium at {ExecutablePath} and it could not be installed automatically " +
                $"(apt-get as root, or sudo -n apt-get). Install it with `sudo apt-get install -y chromium` and run the tests again.{Environment.NewLine}{Tail(log.ToString())}");
        }

        say($"Browser tests: installed chromium at {ExecutablePath}.");
        return ExecutablePath;
    }

    /// <summary>Launch arguments: as root chromium refuses to start without --no-sandbox.</summary>
    public static IReadOnlyList<string> Arguments =>
        Environment.IsPrivilegedProcess ? ["--no-sandbox", "--disable-dev-shm-usage"] : ["--disable-dev-shm-usage"];

    private static int AptGet(string arguments, System.Text.StringBuilder log)
    {
        var info = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("apt-get", arguments)
            : new ProcessStartInfo("sudo", "-n apt-get " + arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            log.Append(stdout.Result).Append(stderr.Result);
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            log.AppendLine($"{info.FileName}: {ex.Message}");
            return -1;
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
