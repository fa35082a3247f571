using System.Net;
using System.Net.Sockets;

namespace WardLink.Testing;

/// <summary>
/// A TCP relay on loopback in front of a real server (PostgreSQL, RabbitMQ), so a test can make
/// that server vanish for one service, as a crash or a cut network would, without stopping it for
/// the other tests: <see cref="Close"/> resets every relayed connection and refuses new ones;
/// <see cref="Open"/> listens again on the same port. <see cref="Freeze"/> makes it hang instead, as a
/// stopped process or a partitioned network does: connections stay open, new ones are accepted, and no
/// byte passes either way until <see cref="Thaw"/>.
/// </summary>
public sealed class TcpGate : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource _open = new();
    private TaskCompletionSource _thawed = Thawed();

    private TcpGate(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    /// <summary>The loopback port clients connect to instead of the server's.</summary>
    public int Port { get; }

    public static TcpGate Start(string host, int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var gate = new TcpGate(new IPEndPoint(Dns.GetHostAddresses(host).First(address => address.AddressFamily == AddressFamily.InterNetwork), port), ((IPEndPoint)listener.LocalEndpoint).Port);
        gate.Accept(listener);
        return gate;
    }

    /// <summary>Refuses new connections and resets the open ones (the server looks dead).</summary>
    public void Close()
    {
        List<TcpClient> open;
        lock (_lock)
        {
            _open.Cancel();
            _listener?.Stop();
            _listener = null;
            open = [.. _connections];
            _connections.Clear();
        }

        foreach (var connection in open)
        {
            Reset(connection);
        }
    }

    /// <summary>Passes no byte either way, on open connections and on new ones, until <see cref="Thaw"/>: the server hangs.</summary>
    public void Freeze()
    {
        lock (_lock)
        {
            if (_thawed.Task.IsCompleted)
            {
                _thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Passes bytes again, those held while frozen first.</summary>
    public void Thaw()
    {
        lock (_lock)
        {
            _thawed.TrySetResult();
        }
    }

    /// <summary>Accepts connections again on <see cref="Port"/>.</summary>
    public void Open()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        lock (_lock)
        {
            _open = new CancellationTokenSource();
        }

        Accept(listener);
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    private void Accept(TcpListener listener)
    {
        CancellationToken open;
        lock (_lock)
        {
            _listener = listener;
            open = _open.Token;
        }

        _ = Task.Run(async () =>
        {
            while (!open.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(open);
                }
                catch (Exception stopped) when (stopped is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = RelayAsync(client, open);
            }
        });
    }

    private async Task RelayAsync(TcpClient client, CancellationToken open)
    {
        var server = new TcpClient();
        lock (_lock)
        {
            _connections.Add(client);
            _connections.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, open);
            var clientStream = client.GetStream();
            var serverStream = server.GetStream();
            await Task.WhenAny(PumpAsync(clientStream, serverStream, open), PumpAsync(serverStream, clientStream, open));
        }
        catch (Exception cut) when (cut is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The gate closed or a side hung up: the other side is reset below.
        }
        finally
        {
            lock (_lock)
            {
                _connections.Remove(client);
                _connections.Remove(server);
            }

            Reset(client);
            Reset(server);
        }
    }

    /// <summary>Copies what <paramref name="from"/> sends to <paramref name="to"/>, each read held while the gate is frozen.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken open)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, open)) > 0)
        {
            Task thawed;
            lock (_lock)
            {
                thawed = _thawed.Task;
            }

            await thawed.WaitAsync(open);
            await to.WriteAsync(buffer.AsMemory(0, read), open);
        }
    }

    private static TaskCompletionSource Thawed()
    {
        var thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thawed.SetResult();
        return thawed;
    }

    /// <summary>Closes a connection with a reset (no lingering), as a crashed peer's kernel would; it may be closed already.</summary>
    private static void Reset(TcpClient connection)
    {
        try
        {
            connection.Client?.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
            // Closed by the other side of the relay meanwhile.
        }

        connection.Dispose();
    }
}
