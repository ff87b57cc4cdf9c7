BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers/Common.ps1')
    $script:Password = 'conn-pw-1'
    $script:Cred = New-TestCredential $Password
    $script:Nodes = New-TestCluster -Masters 3 -ReplicasPerMaster 0 -Password $Password
}

AfterAll {
    Disconnect-RedisCluster
    Stop-TestNode
}

Describe 'Connect-RedisCluster' {
    It 'connects with requirepass and remembers the connection' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $connection.EndPoint.ToString() | Should -Be $Nodes[0].EndPoint
        $connection.IsOpen | Should -BeTrue
        (Get-RedisClusterNode).Count | Should -Be 3
    }

    It 'uses the first seed that answers' {
        $dead = "127.0.0.1:$(Get-FreeNodePort)"
        $connection = Connect-RedisCluster -EndPoint $dead, $Nodes[1].EndPoint -Credential $Cred
        $connection.EndPoint.ToString() | Should -Be $Nodes[1].EndPoint
    }

    It 'connects as an ACL user' {
        foreach ($n in $Nodes) { $null = Invoke-RedisCli $n.EndPoint $Password ACL SETUSER operator on '>op-secret' '~*' '&*' '+@all' }
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'op-secret' 'operator')
        $connection.Settings.UserName | Should -Be 'operator'
        (Get-RedisClusterNode -Role Master).Count | Should -Be 3
    }

    It 'reports a wrong password as a SecurityError without echoing it' {
        $err = $null
        try { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential (New-TestCredential 'not-the-password') } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed*'
        "$err" | Should -Not -BeLike '*not-the-password*'
    }

    It 'reports a missing password as a SecurityError' {
        { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint } | Should -Throw -ErrorId 'AuthenticationFailed*'
    }

    It 'reports a node that is down as a ConnectionError within seconds' {
        $port = Get-FreeNodePort
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $err = $null
        try { Connect-RedisCluster -EndPoint "127.0.0.1:$port" -Credential $Cred -ConnectTimeoutSeconds 2 } catch { $err = $_ }
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
        "$err" | Should -BeLike "*127.0.0.1:$port*"
    }

    It 'reports a node that stops answering as OperationTimeout' {
        $frozen = Start-TestNode -Password $Password
        $connection = Connect-RedisCluster -EndPoint $frozen.EndPoint -Credential $Cred -CommandTimeoutSeconds 1
        & kill -STOP $frozen.ProcessId
        try {
            $err = $null
            try { Get-RedisClusterNode -Connection $connection } catch { $err = $_ }
            $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
            "$err" | Should -BeLike "*$($frozen.EndPoint)*within 1 s*"
        } finally {
            & kill -CONT $frozen.ProcessId
            Disconnect-RedisCluster
            Stop-TestNode -Node $frozen
        }
    }

    It 'rejects a malformed endpoint with InvalidArgument' {
        { Connect-RedisCluster -EndPoint '127.0.0.1:notaport' -Credential $Cred } | Should -Throw -ErrorId 'InvalidEndPoint*'
    }

    It 'needs a CA file that exists when one is named' {
        $err = $null
        try { Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred -TlsCaCertificatePath (Join-Path $TestDrive 'missing.pem') } catch { $err = $_ }
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Disconnect-RedisCluster' {
    It 'closes the remembered connection, after which cmdlets ask for one' {
        $null = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        Disconnect-RedisCluster
        { Get-RedisClusterNode } | Should -Throw -ErrorId 'NoConnection*'
    }

    It 'closes a given connection; objects that carry it reopen it when used' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        $node = Get-RedisClusterNode | Select-Object -First 1
        $connection | Disconnect-RedisCluster
        $connection.IsOpen | Should -BeFalse
        ($node | Get-RedisClusterNode).Count | Should -Be 3
    }

    It 'does nothing when nothing is connected' {
        Disconnect-RedisCluster
        { Disconnect-RedisCluster } | Should -Not -Throw
    }
}

Describe 'Reaching a cluster' {
    It 'works with -EndPoint and -Credential and no Connect-RedisCluster' {
        Disconnect-RedisCluster
        (Get-RedisClusterNode -EndPoint $Nodes[2].EndPoint -Credential $Cred).Count | Should -Be 3
    }

    It 'refuses -EndPoint together with -Connection' {
        $connection = Connect-RedisCluster -EndPoint $Nodes[0].EndPoint -Credential $Cred
        { Get-RedisClusterNode -Connection $connection -EndPoint $Nodes[1].EndPoint } | Should -Throw -ErrorId 'EndPointAndConnection*'
    }

    It 'pipes node objects on without repeating credentials' {
        Disconnect-RedisCluster
        $masters = Get-RedisClusterNode -EndPoint $Nodes[0].EndPoint -Credential $Cred -Role Master
        $again = $masters | Select-Object -First 1 | Get-RedisClusterNode
        $again.Count | Should -Be 3
    }
}
