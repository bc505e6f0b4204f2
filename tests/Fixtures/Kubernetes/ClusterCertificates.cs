using System.Diagnostics;

namespace Granary.Testing.Kubernetes;

/// <summary>
/// The key material of one local cluster, made with <c>openssl</c>: a CA, a serving certificate for 127.0.0.1 and
/// localhost signed by it, an admin client certificate (group system:masters), and the service-account signing key pair.
/// </summary>
internal sealed record ClusterCertificates(
    string CaCertificate,
    string CaKey,
    string ServingCertificate,
    string ServingKey,
    string AdminClientCertificate,
    string AdminClientKey,
    string ServiceAccountKey,
    string ServiceAccountPublicKey)
{
    /// <summary>Writes all files into <paramref name="directory"/>.</summary>
    public static async Task<ClusterCertificates> CreateAsync(string directory, string clusterName, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        string In(string file) => Path.Combine(directory, file);
        var certificates = new ClusterCertificates(
            In("ca.crt"), In("ca.key"), In("apiserver.crt"), In("apiserver.key"),
            In("admin.crt"), In("admin.key"), In("service-account.key"), In("service-account.pub"));

        await OpenSslAsync(cancellationToken,
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
            "-keyout", certificates.CaKey, "-out", certificates.CaCertificate,
            "-subj", $"/CN=granary-test-ca-{clusterName}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature");

        // 10.0.0.1 and the kubernetes.default names are what in-cluster clients use for the API server.
        await certificates.IssueAsync(directory, "apiserver", "/CN=kube-apiserver", cancellationToken,
            "extendedKeyUsage=serverAuth",
            "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local");
        await certificates.IssueAsync(directory, "admin", "/O=system:masters/CN=granary-admin", cancellationToken,
            "extendedKeyUsage=clientAuth");

        await OpenSslAsync(cancellationToken, "genrsa", "-out", certificates.ServiceAccountKey, "2048");
        await OpenSslAsync(cancellationToken, "rsa", "-in", certificates.ServiceAccountKey, "-pubout", "-out", certificates.ServiceAccountPublicKey);
        return certificates;
    }

    private async Task IssueAsync(string directory, string name, string subject, CancellationToken cancellationToken, params string[] extensions)
    {
        var key = Path.Combine(directory, $"{name}.key");
        var request = Path.Combine(directory, $"{name}.csr");
        var extensionFile = Path.Combine(directory, $"{name}.ext");
        await File.WriteAllLinesAsync(extensionFile,
            ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", .. extensions], cancellationToken);
        await OpenSslAsync(cancellationToken, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", subject);
        await OpenSslAsync(cancellationToken, "x509", "-req", "-sha256", "-days", "3650", "-in", request,
            "-CA", CaCertificate, "-CAkey", CaKey, "-set_serial", $"0x{Convert.ToHexString(Guid.NewGuid().ToByteArray())}",
            "-extfile", extensionFile, "-out", Path.Combine(directory, $"{name}.crt"));
    }

    private static async Task OpenSslAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException(
                $"openssl is needed to make the local clusters' certificates but could not be started ({exception.Message}); run deploy/local/bootstrap kubernetes, or apt-get install -y openssl.",
                exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}{await errors}");
            }
        }
    }
}
