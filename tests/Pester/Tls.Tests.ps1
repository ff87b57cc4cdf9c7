# TLS against a real redis-server with its own CA, server and client certificates made by openssl.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'tls-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Pki = Join-Path $TestDrive 'pki'
    $null = New-Item -ItemType Directory $Pki

    function Invoke-OpenSsl { & openssl @args 2>&1 | Out-Null; if ($LASTEXITCODE) { throw "openssl $args failed" } }
    function New-Authority([string] $Name) {
        Invoke-OpenSsl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$Name" -keyout "$Pki/$Name.key" -out "$Pki/$Name.crt"
    }
    function New-SignedCertificate([string] $Name, [string] $Authority, [string] $Extensions) {
        Set-Content "$Pki/$Name.ext" $Extensions
        Invoke-OpenSsl req -newkey rsa:2048 -nodes -subj "/CN=$Name" -keyout "$Pki/$Name.key" -out "$Pki/$Name.csr"
        Invoke-OpenSsl x509 -req -in "$Pki/$Name.csr" -CA "$Pki/$Authority.crt" -CAkey "$Pki/$Authority.key" -CAcreateserial -days 2 -extfile "$Pki/$Name.ext" -out "$Pki/$Name.crt"
    }
    New-Authority 'test-ca'
    New-Authority 'other-ca'
    # clientAuth too: on the TLS cluster bus each node connects to the others with its own certificate.
    New-SignedCertificate 'server' 'test-ca' "subjectAltName=IP:127.0.0.1`nextendedKeyUsage=serverAuth,clientAuth"
    New-SignedCertificate 'client' 'test-ca' 'extendedKeyUsage=clientAuth'
    Invoke-OpenSsl pkcs12 -export -in "$Pki/client.crt" -inkey "$Pki/client.key" -out "$Pki/client.pfx" -passout pass:pfx
    $script:ClientCertificate = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12FromFile("$Pki/client.pfx", 'pfx')

    function Invoke-TlsCli([string] $EndPoint) {
        <# redis-cli over TLS with the test CA, client certificate and password (by environment, never on a command line). #>
        $env:REDISCLI_AUTH = $Password
        try {
            $input | & redis-cli --tls --cacert "$Pki/test-ca.crt" --cert "$Pki/client.crt" --key "$Pki/client.key" --no-auth-warning -p ($EndPoint -split ':')[1] @args 2>$null
        } finally { Remove-Item Env:REDISCLI_AUTH }
    }
    function Start-TlsNode([string] $Name) {
        <# A cluster-enabled node speaking TLS only (its cluster bus too), requiring client certificates. #>
        $port = Get-FreeNodePort
        $dir = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory $dir
        Set-Content "$dir/redis.conf" @(
            'port 0', "tls-port $port", 'bind 127.0.0.1', 'daemonize yes', "dir `"$dir`"", "pidfile `"$dir/redis.pid`"", "logfile `"$dir/redis.log`"",
            "tls-cert-file `"$Pki/server.crt`"", "tls-key-file `"$Pki/server.key`"", "tls-ca-cert-file `"$Pki/test-ca.crt`"",
            'tls-auth-clients yes', 'tls-cluster yes', 'cluster-enabled yes', 'cluster-node-timeout 2000', 'save ""', "requirepass `"$Password`""
        )
        & redis-server "$dir/redis.conf" | Out-Null
        $endPoint = "127.0.0.1:$port"
        Wait-Until -Because "the TLS node on $endPoint answers PING" -TimeoutSeconds 10 { (Invoke-TlsCli $endPoint PING) -eq 'PONG' }
        [pscustomobject]@{ EndPoint = $endPoint; Port = $port; ProcessId = [int](Get-Content "$dir/redis.pid" -Raw) }
    }
    $script:TlsNodes = [System.Collections.Generic.List[object]]::new()
    $node = Start-TlsNode 'node'
    $TlsNodes.Add($node)
    $script:EndPoint = $node.EndPoint
}

AfterAll {
    foreach ($node in $TlsNodes) { Stop-Process -Id $node.ProcessId -Force -ErrorAction SilentlyContinue }
}

Describe 'TLS' {
    It 'connects with the CA that signed the node and a client certificate' {
        $nodes = Get-RedisClusterNode -EndPoint $EndPoint -Credential $Cred -TlsCaCertificatePath "$Pki/test-ca.crt" -TlsClientCertificate $ClientCertificate
        $nodes.Count | Should -Be 1
        $nodes[0].EndPoint | Should -Be $EndPoint
    }

    It 'refuses a node whose certificate another CA signed, saying so' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $EndPoint -Credential $Cred -TlsCaCertificatePath "$Pki/other-ca.crt" -TlsClientCertificate $ClientCertificate -ConnectTimeoutSeconds 3 }
        $err.FullyQualifiedErrorId | Should -Be 'TlsHandshakeFailed,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        "$err" | Should -Be "The TLS handshake with $EndPoint failed: the node's certificate is not signed by the CA in $Pki/other-ca.crt."
    }

    It 'accepts any certificate with -SkipCertificateCheck' {
        (Get-RedisClusterNode -EndPoint $EndPoint -Credential $Cred -UseTls -SkipCertificateCheck -TlsClientCertificate $ClientCertificate).Count | Should -Be 1
    }

    It 'says a client certificate may be missing when the node ends the handshake' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $EndPoint -Credential $Cred -TlsCaCertificatePath "$Pki/test-ca.crt" -ConnectTimeoutSeconds 3 }
        $err.FullyQualifiedErrorId | Should -Be 'TlsHandshakeFailed,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        "$err" | Should -BeLike '*it may require a client certificate (-TlsClientCertificate)*'
    }

    It 'says to add -UseTls when plain text meets a TLS port' {
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $EndPoint -Credential $Cred -ConnectTimeoutSeconds 3 }
        $err.FullyQualifiedErrorId | Should -Be 'NotRedisServer,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'ProtocolError'
        "$err" | Should -Be "$EndPoint closed the connection without answering; if the node speaks TLS, add -UseTls."
    }

    It 'refuses a CA file that is not a certificate' {
        Set-Content "$Pki/garbage.crt" 'not a certificate'
        $err = Get-ErrorRecord { Connect-RedisCluster -EndPoint $EndPoint -Credential $Cred -TlsCaCertificatePath "$Pki/garbage.crt" }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidCaCertificate,RedisCluster.Commands.ConnectRedisClusterCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$err" | Should -Be "The CA certificate file '$Pki/garbage.crt' is not a PEM or DER certificate."
    }
}

Describe 'Moving slots over TLS' {
    BeforeAll {
        # Two masters of their own, met over the TLS cluster bus: the first owns every slot and 400 keys.
        $script:Source = Start-TlsNode 'source'
        $script:Target = Start-TlsNode 'target'
        $TlsNodes.Add($Source); $TlsNodes.Add($Target)
        $script:Tls = @{ Credential = $Cred; TlsCaCertificatePath = "$Pki/test-ca.crt"; TlsClientCertificate = $ClientCertificate }
        $null = Invoke-TlsCli $Source.EndPoint CLUSTER ADDSLOTSRANGE 0 16383
        $null = Invoke-TlsCli $Source.EndPoint CLUSTER MEET 127.0.0.1 $Target.Port
        Wait-Until -Because 'both TLS masters know each other and the cluster is ok' -TimeoutSeconds 20 {
            $nodes = @(Get-RedisClusterNode -EndPoint $Target.EndPoint @Tls)
            $nodes.Count -eq 2 -and @($nodes | Where-Object { $_.Flags -match 'handshake|fail' }).Count -eq 0 -and
                ((Invoke-TlsCli $Target.EndPoint CLUSTER INFO) -join "`n") -match 'cluster_state:ok'
        }
        # Written once the cluster is ok: a new master refuses writes (CLUSTERDOWN) for its first seconds.
        $null = (1..400 | ForEach-Object { "SET tls:key:$_ value-$_" }) | Invoke-TlsCli $Source.EndPoint
        [int](Invoke-TlsCli $Source.EndPoint DBSIZE) | Should -Be 400
    }

    It 'moves slots with their keys through TLS connections, MIGRATE included' {
        $targetId = (Get-RedisClusterNode -EndPoint $Target.EndPoint @Tls | Where-Object EndPoint -eq $Target.EndPoint).NodeId
        $expected = @(1..400 | Where-Object { (Get-RedisKeySlot -Key "tls:key:$_").Slot -le 8191 }).Count
        $result = Invoke-RedisReshard -EndPoint $Source.EndPoint @Tls -TargetNodeId $targetId -Slot '0-8191' -Confirm:$false
        $result.SlotsMoved | Should -Be 8192
        $result.KeysMoved | Should -Be $expected
        [int](Invoke-TlsCli $Target.EndPoint DBSIZE) | Should -Be $expected
        [int](Invoke-TlsCli $Source.EndPoint DBSIZE) | Should -Be (400 - $expected)
        foreach ($node in $Source, $Target) {
            (Invoke-TlsCli $node.EndPoint CLUSTER NODES) -join "`n" | Should -Not -Match '\[\d+-[<>]-' -Because 'no slot is left MIGRATING or IMPORTING'
        }
        $owned = (Get-RedisClusterNode -EndPoint $Source.EndPoint @Tls | Where-Object NodeId -eq $targetId).Slots.ToString()
        $owned | Should -Be '0-8191'
    }
}
