using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;

namespace RedisCluster.Internal
{
    /// <summary>The parameters that say how to authenticate to nodes and whether to use TLS.</summary>
    public abstract class NodeAccessCmdlet : RedisClusterCmdlet
    {
        /// <summary>User "default" authenticates with requirepass; any other user name is an ACL user.</summary>
        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; } = PSCredential.Empty;

        [Parameter]
        public SwitchParameter UseTls { get; set; }

        /// <summary>A CA certificate file (PEM or DER) that the nodes' certificates must chain to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TlsCaCertificatePath { get; set; }

        [Parameter]
        public X509Certificate2 TlsClientCertificate { get; set; }

        /// <summary>Accept any node certificate: for test clusters with self-signed certificates only.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>Seconds to wait for a node to accept a connection before calling it unreachable.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int ConnectTimeoutSeconds { get; set; } = 5;

        /// <summary>Seconds to wait for a node to answer a command before calling it timed out.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int CommandTimeoutSeconds { get; set; } = 15;

        protected ConnectionSettings BuildSettings(IEnumerable<NodeEndPoint> endPoints) => new ConnectionSettings(endPoints)
        {
            Credential = Credentials.ToNetworkCredential(Credential),
            UseTls = UseTls || TlsCaCertificatePath != null || TlsClientCertificate != null,
            TlsCaCertificatePath = TlsCaCertificatePath == null ? null : GetUnresolvedProviderPathFromPSPath(TlsCaCertificatePath),
            ClientCertificate = TlsClientCertificate,
            SkipCertificateCheck = SkipCertificateCheck,
            ConnectTimeout = TimeSpan.FromSeconds(ConnectTimeoutSeconds),
            CommandTimeout = TimeSpan.FromSeconds(CommandTimeoutSeconds),
        };

        protected RedisCluster.NodeId ParseNodeId(string text)
        {
            if (!RedisCluster.NodeId.TryParse(text, out var id))
            {
                ThrowInvalidArgument("InvalidNodeId", $"'{text}' is not a node id: a node id is 40 hexadecimal characters, as Get-RedisClusterNode shows.", text);
            }
            return id;
        }

        protected NodeEndPoint ParseEndPoint(string text)
        {
            if (!NodeEndPoint.TryParse(text, out var endPoint, out var error))
            {
                ThrowInvalidArgument("InvalidEndPoint", error, text);
            }
            return endPoint;
        }
    }
}
