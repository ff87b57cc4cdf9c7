using System;
using System.Threading;

namespace RedisCluster
{
    /// <summary>
    /// Where the commands sent to nodes are described (secrets masked) while a caller listens: the cmdlets
    /// attach their -Debug stream for the duration of one piece of work. Flows with the async context, so
    /// two commands running at once never see each other's listener.
    /// </summary>
    public static class CommandLog
    {
        private static readonly AsyncLocal<Action<string>> Listener = new AsyncLocal<Action<string>>();

        /// <summary>Listens for the rest of the current async flow; disposing stops listening.</summary>
        public static IDisposable Listen(Action<string> listener)
        {
            var previous = Listener.Value;
            Listener.Value = listener;
            return new Restore(previous);
        }

        public static bool IsListening => Listener.Value != null;

        public static void Write(NodeEndPoint endPoint, RedisCommand command)
        {
            var listener = Listener.Value;
            listener?.Invoke($"{endPoint} <- {command.Describe()}");
        }

        private sealed class Restore : IDisposable
        {
            private readonly Action<string> _previous;

            public Restore(Action<string> previous) => _previous = previous;

            public void Dispose() => Listener.Value = _previous;
        }
    }
}
