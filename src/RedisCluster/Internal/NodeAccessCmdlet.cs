using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;

namespace RedisCluster.Internal
{
    /// <summary>
    /// How to authenticate to nodes and whether to use TLS: the parameters of the EndPoint parameter set,
    /// which only make sense when the cmdlet opens a connection of its own.
    /// </summary>
    public abstract class NodeAccessCmdlet : RedisClusterCmdlet
    {
        /// <summary>Reach the cluster through -EndPoint with these access parameters.</summary>
        protected const string EndPointSet = "EndPoint";

        /// <summary>User "default" authenticates with requirepass; any other user name is an ACL user.</summary>
        [Parameter(ParameterSetName = EndPointSet)]
        [Credential]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        [Parameter(ParameterSetName = EndPointSet)]
        public SwitchParameter UseTls { get; set; }

        /// <summary>A CA certificate file (PEM or DER) that the nodes' certificates must chain to.</summary>
        [Parameter(ParameterSetName = EndPointSet)]
        [ValidateNotNullOrEmpty]
        public string TlsCaCertificatePath { get; set; }

        [Parameter(ParameterSetName = EndPointSet)]
        public X509Certificate2 TlsClientCertificate { get; set; }

        /// <summary>Accept any node certificate: for test clusters with self-signed certificates only.</summary>
        [Parameter(ParameterSetName = EndPointSet)]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>Seconds to wait for a node to accept a connection before calling it unreachable.</summary>
        [Parameter(ParameterSetName = EndPointSet)]
        [ValidateRange(1, 300)]
        public int ConnectTimeoutSeconds { get; set; } = 5;

        /// <summary>Seconds to wait for a node to answer a command before calling it timed out.</summary>
        [Parameter(ParameterSetName = EndPointSet)]
        [ValidateRange(1, 3600)]
        public int CommandTimeoutSeconds { get; set; } = 15;

        protected ConnectionSettings BuildSettings(IEnumerable<NodeEndPoint> endPoints) => new ConnectionSettings(endPoints)
        {
            Credential = Credentials.ToNetworkCredential(Credential),
            // Any TLS option means TLS: none of them makes sense over plain text.
            UseTls = UseTls || SkipCertificateCheck || TlsCaCertificatePath != null || TlsClientCertificate != null,
            TlsCaCertificatePath = TlsCaCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(TlsCaCertificatePath),
            ClientCertificate = TlsClientCertificate,
            SkipCertificateCheck = SkipCertificateCheck,
            ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds),
            CommandTimeout = TimeSpan.FromSeconds(CommandTimeoutSeconds),
        };

        /// <summary>Opens a connection through the first of the endpoints that answers.</summary>
        protected RedisClusterConnection Open(ConnectionSettings settings, bool readTopology = true) =>
            Await(token => RedisClusterConnection.OpenAsync(settings, EngineBridge.Connector, token, readTopology));

        protected NodeEndPoint ParseEndPoint(string text)
        {
            if (!NodeEndPoint.TryParse(text, out var endPoint, out var error))
            {
                ThrowInvalidArgument("InvalidEndPoint", error, text);
            }
            return endPoint;
        }

        protected IReadOnlyList<NodeEndPoint> ParseEndPoints(IEnumerable<string> texts) => texts.Select(ParseEndPoint).ToList();
    }
}
