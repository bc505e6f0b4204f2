using System.Diagnostics;
using Granary.Testing;

namespace Granary.Tests.Sops;

/// <summary>The real <c>age</c> and <c>age-keygen</c> binaries that <c>deploy/local/bootstrap tools</c> puts in <c>.granary/tools/bin</c>.</summary>
internal static class AgeTools
{
    private static readonly Lazy<string> Bin = new(() =>
    {
        Bootstrap.Run("tools", TimeSpan.FromMinutes(10));
        return Path.Combine(RepositoryRoot.Path, ".granary", "tools", "bin");
    });

    /// <summary>A fresh key pair from age-keygen: the identity file text (with its comments) and the recipient.</summary>
    public static (string KeyFile, string Recipient) GenerateKey()
    {
        var keyFile = System.Text.Encoding.ASCII.GetString(Run("age-keygen", [], []));
        var recipient = keyFile.Split('\n')
            .Single(line => line.StartsWith("# public key: ", StringComparison.Ordinal))["# public key: ".Length..].Trim();
        return (keyFile, recipient);
    }

    /// <summary>Encrypts with the age binary to the recipients, armored or binary.</summary>
    public static byte[] Encrypt(byte[] plaintext, IEnumerable<string> recipients, bool armor)
    {
        var arguments = recipients.SelectMany(recipient => new[] { "-r", recipient }).ToList();
        if (armor)
        {
            arguments.Add("-a");
        }

        return Run("age", arguments, plaintext);
    }

    private static byte[] Run(string tool, IReadOnlyList<string> arguments, byte[] input)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin.Value, tool))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {tool}");
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within a minute");
        }

        copy.Wait();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {errors.Result}");
        }

        return output.ToArray();
    }
}
