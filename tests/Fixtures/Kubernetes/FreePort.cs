using System.Net;
using System.Net.Sockets;

namespace Granary.Testing.Kubernetes;

/// <summary>Free TCP ports on 127.0.0.1, as the kernel hands them out.</summary>
public static class FreePort
{
    /// <summary>A port nothing listens on right now; a process started soon after can almost always bind it.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether a log says the process could not bind its port (another process took it meanwhile).</summary>
    public static bool WasTaken(string log) => log.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
}
