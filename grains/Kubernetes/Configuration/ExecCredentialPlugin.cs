using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Granary.Grains.Kubernetes.Configuration;

/// <summary>
/// A kubeconfig <c>exec</c> credential plugin (client.authentication.k8s.io ExecCredential): runs the command, reads the
/// token or client certificate it prints, and caches it until its expirationTimestamp (or until the server answers 401).
/// </summary>
public sealed class ExecCredentialPlugin : ICredentialSource
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);
    private readonly string command;
    private readonly IReadOnlyList<string> arguments;
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly string apiVersion;
    private readonly string source;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly TimeProvider time;
    private (ClientCredentials Credentials, DateTimeOffset? Expires)? cached;

    /// <summary>A plugin as a kubeconfig <c>user.exec</c> describes it; <paramref name="source"/> names the kubeconfig and user in errors.</summary>
    public ExecCredentialPlugin(string command, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string apiVersion,
        string source, TimeProvider? time = null)
    {
        this.command = command;
        this.arguments = arguments;
        this.environment = environment;
        this.apiVersion = apiVersion;
        this.source = source;
        this.time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<ClientCredentials> GetAsync(CancellationToken cancellationToken)
    {
        if (Current() is { } fresh)
        {
            return fresh;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Current() is { } other)
            {
                return other;
            }

            var (credentials, expires) = await RunAsync(cancellationToken);
            cached = (credentials, expires);
            return credentials;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Invalidate() => cached = null;

    private ClientCredentials? Current() =>
        cached is { } c && (c.Expires is null || c.Expires.Value - ExpiryMargin > time.GetUtcNow()) ? c.Credentials : null;

    private async Task<(ClientCredentials, DateTimeOffset?)> RunAsync(CancellationToken cancellationToken)
    {
        // Like kubectl, the plugin inherits our environment (cloud CLIs need HOME, PATH and their own variables), plus the
        // kubeconfig's env entries and KUBERNETES_EXEC_INFO; it runs without a shell and never interactively.
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = new JsonObject
        {
            ["apiVersion"] = apiVersion,
            ["kind"] = "ExecCredential",
            ["spec"] = new JsonObject { ["interactive"] = false },
        }.ToJsonString();

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new KubernetesConfigurationException($"{source}: exec credential plugin '{command}' could not start: {e.Message}. Install it or fix user.exec.command.", e);
        }

        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new KubernetesConfigurationException($"{source}: exec credential plugin '{command}' did not finish within {Timeout.TotalSeconds:0} s.");
        }

        if (process.ExitCode != 0)
        {
            throw new KubernetesConfigurationException(
                $"{source}: exec credential plugin '{command}' exited with code {process.ExitCode}: {Tail(await stderr)}");
        }

        return Parse(await stdout);
    }

    private (ClientCredentials, DateTimeOffset?) Parse(string output)
    {
        JsonNode? credential;
        try
        {
            credential = JsonNode.Parse(output);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new KubernetesConfigurationException($"{source}: exec credential plugin '{command}' printed something that is not an ExecCredential JSON object: {e.Message}", e);
        }

        var status = credential?["status"] as JsonObject
            ?? throw new KubernetesConfigurationException($"{source}: exec credential plugin '{command}' printed an ExecCredential without status.");
        var token = (string?)status["token"];
        var certificatePem = (string?)status["clientCertificateData"];
        var keyPem = (string?)status["clientKeyData"];
        if (token is null && (certificatePem is null || keyPem is null))
        {
            throw new KubernetesConfigurationException(
                $"{source}: exec credential plugin '{command}' returned neither status.token nor status.clientCertificateData with status.clientKeyData.");
        }

        X509Certificate2? certificate = null;
        if (certificatePem is not null && keyPem is not null)
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }

        DateTimeOffset? expires = (string?)status["expirationTimestamp"] is { } stamp && DateTimeOffset.TryParse(stamp, out var at) ? at : null;
        return (new ClientCredentials(token, certificate), expires);
    }

    private static string Tail(string text) => text.Length > 500 ? "..." + text[^500..].Trim() : text.Trim();
}
