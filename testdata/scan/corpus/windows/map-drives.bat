@echo off
rem Map the shared drives for the backup job
net use Z: \\files01\backup /user:SHOP\svc_backup BO28kGpWlfh7kw6t /persistent:yes
net use Y: \\files01\public /user:SHOP\%USERNAME% *
net use X: \\nas01\media /user:media %NAS_PASSWORD%
cmdkey /add:files02.shop.internal /user:SHOP\svc_backup /pass:Bkp-Files-oak-58et
set SQLCMDPASSWORD=OyE0Ek2z7PLGUmet8D
sqlcmd -S sql01 -U backup -Q "BACKUP DATABASE shop TO DISK='Z:\shop.bak'"
