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
    New-SignedCertificate 'server' 'test-ca' "subjectAltName=IP:127.0.0.1`nextendedKeyUsage=serverAuth"
    New-SignedCertificate 'client' 'test-ca' 'extendedKeyUsage=clientAuth'
    Invoke-OpenSsl pkcs12 -export -in "$Pki/client.crt" -inkey "$Pki/client.key" -out "$Pki/client.pfx" -passout pass:pfx
    $script:ClientCertificate = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadPkcs12FromFile("$Pki/client.pfx", 'pfx')

    # One cluster-enabled node speaking TLS only, requiring client certificates.
    $script:Port = Get-FreeNodePort
    $dir = Join-Path $TestDrive 'node'
    $null = New-Item -ItemType Directory $dir
    Set-Content "$dir/redis.conf" @(
        'port 0', "tls-port $Port", 'bind 127.0.0.1', 'daemonize yes', "dir `"$dir`"", "pidfile `"$dir/redis.pid`"", "logfile `"$dir/redis.log`"",
        "tls-cert-file `"$Pki/server.crt`"", "tls-key-file `"$Pki/server.key`"", "tls-ca-cert-file `"$Pki/test-ca.crt`"",
        'tls-auth-clients yes', 'tls-cluster yes', 'cluster-enabled yes', 'save ""', "requirepass `"$Password`""
    )
    & redis-server "$dir/redis.conf" | Out-Null
    $script:EndPoint = "127.0.0.1:$Port"
    $env:REDISCLI_AUTH = $Password
    try {
        Wait-Until -Because "the TLS node on $EndPoint answers PING" -TimeoutSeconds 10 {
            (& redis-cli --tls --cacert "$Pki/test-ca.crt" --cert "$Pki/client.crt" --key "$Pki/client.key" --no-auth-warning -p $Port PING 2>$null) -eq 'PONG'
        }
    } finally { Remove-Item Env:REDISCLI_AUTH }
    $script:NodeProcessId = [int](Get-Content "$dir/redis.pid" -Raw)
}

AfterAll {
    Stop-Process -Id $NodeProcessId -Force -ErrorAction SilentlyContinue
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
