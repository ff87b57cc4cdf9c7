@{
    RootModule           = 'RedisCluster.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b8c55-3d7e-4a43-9a0e-1c5b2f7d9e41'
    Author               = 'RedisCluster contributors'
    CompanyName          = 'RedisCluster'
    Copyright            = '(c) RedisCluster contributors. MIT License.'
    Description          = 'Build and run Redis Cluster from PowerShell: deploy nodes, create clusters, inspect topology and slots, with typed objects, -WhatIf and progress.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    # The model (NodeRole, SlotRange, RedisClusterNode, ...) loads before the cmdlets, into the default
    # context, so script type literals and parameter binding see its types.
    RequiredAssemblies   = @('RedisCluster.Core.dll')
    FormatsToProcess     = @('RedisCluster.Format.ps1xml')
    CmdletsToExport      = @(
        'Add-RedisClusterNode'
        'Connect-RedisCluster'
        'Disconnect-RedisCluster'
        'Get-RedisClusterInfo'
        'Get-RedisClusterNode'
        'Get-RedisClusterSlot'
        'Get-RedisKeySlot'
        'Invoke-RedisClusterCommand'
        'Invoke-RedisFailover'
        'Invoke-RedisRebalance'
        'Invoke-RedisReshard'
        'New-RedisCluster'
        'New-RedisClusterNode'
        'Optimize-RedisClusterPlacement'
        'Remove-RedisClusterNode'
        'Repair-RedisCluster'
        'Reset-RedisClusterNode'
        'Set-RedisClusterConfig'
        'Set-RedisClusterReplica'
        'Start-RedisClusterNode'
        'Stop-RedisClusterNode'
        'Test-RedisCluster'
        'Wait-RedisCluster'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Redis', 'RedisCluster', 'Cluster', 'Database', 'Cache', 'Administration', 'Linux', 'PSEdition_Core', 'PSEdition_Desktop')
            ProjectUri   = 'https://github.com/redis-cluster-ps/RedisCluster'
            LicenseUri   = 'https://github.com/redis-cluster-ps/RedisCluster/blob/main/LICENSE'
            ReleaseNotes = 'Foundation: connections, topology, slots, key slots, local node deployment and cluster creation.'
        }
    }
}
