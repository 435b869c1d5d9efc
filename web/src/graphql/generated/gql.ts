/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Me {\n    me {\n      id\n      username\n      authMethod\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on LoginSuccess {\n        expiresAt\n        user {\n          id\n          username\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on LoginThrottledError {\n        retryAfterSeconds\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Logout {\n    logout {\n      loggedOut\n    }\n  }\n": typeof types.LogoutDocument,
    "\n  fragment SystemFields on System {\n    productId\n    version\n    systemId\n    state\n    telephonyAvailable\n    stateReason\n    stateSince\n    modules {\n      id\n      name\n      version\n      enabled\n    }\n  }\n": typeof types.SystemFieldsFragmentDoc,
    "\n  query System {\n    system {\n      ...SystemFields\n    }\n  }\n": typeof types.SystemDocument,
    "\n  subscription SystemState {\n    systemState {\n      ...SystemFields\n    }\n  }\n": typeof types.SystemStateDocument,
    "\n  query AvailableVersions($locale: String) {\n    availableVersions(locale: $locale) {\n      version\n      releasedAt\n      releaseNotes\n      releaseNotesLocale\n      downloadSize\n      installable\n      requiredStops\n      requiresLicenceMajor\n      channel\n      blockers {\n        code\n        message\n      }\n    }\n    lastUpdateCheck {\n      ...UpdateCheckFields\n    }\n  }\n": typeof types.AvailableVersionsDocument,
    "\n  fragment FeedErrorFields on FeedError {\n    code\n    message\n    host\n    port\n    cause\n    role\n    file\n  }\n": typeof types.FeedErrorFieldsFragmentDoc,
    "\n  fragment UpdateCheckFields on UpdateCheck {\n    id\n    trigger\n    startedAt\n    finishedAt\n    outcome\n    versionsFound\n    error {\n      ...FeedErrorFields\n    }\n  }\n": typeof types.UpdateCheckFieldsFragmentDoc,
    "\n  mutation CheckForUpdates {\n    checkForUpdates {\n      __typename\n      ... on CheckForUpdatesSuccess {\n        check {\n          ...UpdateCheckFields\n        }\n      }\n      ... on FeedError {\n        ...FeedErrorFields\n      }\n    }\n  }\n": typeof types.CheckForUpdatesDocument,
    "\n  fragment ConnectivityFields on EndpointStatus {\n    purpose\n    url\n    host\n    port\n    ok\n    checkedAt\n    steps {\n      step\n      ok\n      latencyMs\n      detail\n    }\n  }\n": typeof types.ConnectivityFieldsFragmentDoc,
    "\n  query Connectivity {\n    connectivity {\n      ...ConnectivityFields\n    }\n  }\n": typeof types.ConnectivityDocument,
    "\n  mutation RunConnectivityCheck {\n    runConnectivityCheck {\n      ...ConnectivityFields\n    }\n  }\n": typeof types.RunConnectivityCheckDocument,
    "\n  query LicenceStatus {\n    licenceStatus {\n      systemId\n      maxMajor\n      licensedModules\n      updateContract {\n        validFrom\n        validUntil\n        active\n        daysLeft\n      }\n      warnings {\n        code\n        message\n      }\n      licences {\n        id\n        customer\n        edition\n        issuedAt\n        expiresAt\n        maxMajor\n        licensedModules\n        updateContract {\n          validFrom\n          validUntil\n        }\n      }\n    }\n  }\n": typeof types.LicenceStatusDocument,
    "\n  mutation ImportLicence($file: File!) {\n    importLicence(file: $file) {\n      __typename\n      ... on ImportLicenceSuccess {\n        outcome\n        licence {\n          id\n        }\n      }\n      ... on LicenceError {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ImportLicenceDocument,
    "\n  mutation RemoveLicence($id: ID!) {\n    removeLicence(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.RemoveLicenceDocument,
    "\n  query ModuleUpdates($targetVersion: String!) {\n    moduleUpdates(targetVersion: $targetVersion) {\n      __typename\n      ... on ModulePlan {\n        targetVersion\n        modules {\n          moduleId\n          name\n          installedVersion\n          targetVersion\n          compatible\n          selected\n          updatable\n          runsAsInstalled\n          warnings {\n            code\n            message\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.ModuleUpdatesDocument,
    "\n  fragment NoticeFields on Notice {\n    code\n    params {\n      name\n      kind\n      value\n    }\n  }\n": typeof types.NoticeFieldsFragmentDoc,
    "\n  fragment JobFields on UpdateJob {\n    id\n    mode\n    targetVersion\n    fromVersion\n    state\n    step\n    outcome\n    restored\n    startAt\n    createdAt\n    createdBy\n    startedAt\n    finishedAt\n    bytesDone\n    bytesTotal\n    backupId\n    sourceBackupId\n    unavailableSeconds\n    callWait {\n      end\n      waitedMs\n      activeCallsAtEnd\n      wentOn\n    }\n    modules {\n      moduleId\n      version\n    }\n    installPlan {\n      when\n      plannedAt\n      windowEnd\n      scheduledBy\n      postponements\n    }\n    error {\n      code\n      message\n      params {\n        name\n        kind\n        value\n      }\n    }\n  }\n": typeof types.JobFieldsFragmentDoc,
    "\n  fragment DowntimeFields on DowntimeWindow {\n    id\n    startedAt\n    endedAt\n    seconds\n    cause\n    kind\n    jobId\n  }\n": typeof types.DowntimeFieldsFragmentDoc,
    "\n  fragment JobStepFields on UpdateJobStep {\n    step\n    startedAt\n    finishedAt\n    seconds\n    outcome\n    message\n    detail {\n      ...NoticeFields\n    }\n  }\n": typeof types.JobStepFieldsFragmentDoc,
    "\n  query UpdateJobs($first: Int) {\n    updateJobs(first: $first) {\n      ...JobFields\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n      events {\n        at\n        type\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n": typeof types.UpdateJobsDocument,
    "\n  query UpdateJob($id: ID!) {\n    updateJob(id: $id) {\n      ...JobFields\n      plannedSteps\n      rollbackSteps\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n    }\n  }\n": typeof types.UpdateJobDocument,
    "\n  query InstallEstimate($jobId: ID, $version: String, $backupId: ID) {\n    installEstimate(jobId: $jobId, version: $version, backupId: $backupId) {\n      __typename\n      ... on InstallEstimate {\n        seconds\n        backupSeconds\n        otherSeconds\n        downloadSeconds\n        worstCaseSeconds\n        dataBytes\n        callWait {\n          supported\n          maxWaitMinutes\n          onTimeout\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.InstallEstimateDocument,
    "\n  mutation Install($input: InstallInput!) {\n    install(input: $input) {\n      __typename\n      ... on InstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.InstallDocument,
    "\n  mutation RescheduleInstall($jobId: ID!, $when: InstallWhen!, $at: DateTime) {\n    rescheduleInstall(jobId: $jobId, when: $when, at: $at) {\n      __typename\n      ... on RescheduleInstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": typeof types.RescheduleInstallDocument,
    "\n  query NextMaintenanceWindow {\n    nextMaintenanceWindows(first: 1) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          start\n          end\n        }\n      }\n    }\n  }\n": typeof types.NextMaintenanceWindowDocument,
    "\n  subscription RestoreEvents($jobId: ID!) {\n    restoreEvents(jobId: $jobId) {\n      jobId\n      seq\n      at\n      type\n      group\n      bytesDone\n      bytesTotal\n      message\n      detail {\n        ...NoticeFields\n      }\n    }\n  }\n": typeof types.RestoreEventsDocument,
    "\n  query Backups {\n    backups {\n      id\n      status\n      problem {\n        code\n        message\n      }\n      createdAt\n      method\n      reason\n      jobId\n      applianceVersion\n      totalBytes\n      files\n      copyMs\n      verifyMs\n      verifiedAt\n      restorable\n    }\n  }\n": typeof types.BackupsDocument,
    "\n  mutation CreateBackup {\n    createBackup {\n      __typename\n      ... on CreateBackupSuccess {\n        backup {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": typeof types.CreateBackupDocument,
    "\n  mutation RestoreBackup($id: ID!) {\n    restoreBackup(id: $id) {\n      __typename\n      ... on RestoreBackupSuccess {\n        job {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": typeof types.RestoreBackupDocument,
    "\n  query DowntimeWindows($first: Int) {\n    downtimeWindows(first: $first) {\n      ...DowntimeFields\n    }\n  }\n": typeof types.DowntimeWindowsDocument,
    "\n  mutation ScheduleDownload($input: ScheduleDownloadInput!) {\n    scheduleDownload(input: $input) {\n      __typename\n      ... on ScheduleDownloadSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": typeof types.ScheduleDownloadDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.CancelJobDocument,
    "\n  subscription UpdateProgress($jobId: ID!) {\n    updateProgress(jobId: $jobId) {\n      jobId\n      state\n      step\n      bytesDone\n      bytesTotal\n      bytesPerSecond\n      secondsLeft\n      message\n      detail {\n        ...NoticeFields\n      }\n      drain {\n        activeCalls\n        waitedMs\n        deadline\n      }\n    }\n  }\n": typeof types.UpdateProgressDocument,
    "\n  mutation InstallNow($jobId: ID!) {\n    installNow(jobId: $jobId) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.InstallNowDocument,
    "\n  query Maintenance {\n    maintenanceWindows {\n      timeZone\n      openUntil\n      windows {\n        days\n        start\n        lengthMinutes\n      }\n    }\n    nextMaintenanceWindows(first: 3) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          window\n          start\n          end\n          localStart\n          localEnd\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.MaintenanceDocument,
    "\n  mutation SetMaintenanceWindows($input: SetMaintenanceWindowsInput!) {\n    setMaintenanceWindows(input: $input) {\n      __typename\n      ... on MaintenanceWindows {\n        timeZone\n      }\n      ... on MaintenanceWindowError {\n        code\n        message\n        field\n        windowIndex\n        value\n      }\n    }\n  }\n": typeof types.SetMaintenanceWindowsDocument,
    "\n  query UnattendedPolicy {\n    unattendedPolicy {\n      enabled\n      kind\n      lastOutcome {\n        at\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n": typeof types.UnattendedPolicyDocument,
    "\n  mutation SetUnattendedPolicy($input: SetUnattendedPolicyInput!) {\n    setUnattendedPolicy(input: $input) {\n      __typename\n      ... on UnattendedPolicy {\n        enabled\n        kind\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": typeof types.SetUnattendedPolicyDocument,
};
const documents: Documents = {
    "\n  query Me {\n    me {\n      id\n      username\n      authMethod\n    }\n  }\n": types.MeDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on LoginSuccess {\n        expiresAt\n        user {\n          id\n          username\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on LoginThrottledError {\n        retryAfterSeconds\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Logout {\n    logout {\n      loggedOut\n    }\n  }\n": types.LogoutDocument,
    "\n  fragment SystemFields on System {\n    productId\n    version\n    systemId\n    state\n    telephonyAvailable\n    stateReason\n    stateSince\n    modules {\n      id\n      name\n      version\n      enabled\n    }\n  }\n": types.SystemFieldsFragmentDoc,
    "\n  query System {\n    system {\n      ...SystemFields\n    }\n  }\n": types.SystemDocument,
    "\n  subscription SystemState {\n    systemState {\n      ...SystemFields\n    }\n  }\n": types.SystemStateDocument,
    "\n  query AvailableVersions($locale: String) {\n    availableVersions(locale: $locale) {\n      version\n      releasedAt\n      releaseNotes\n      releaseNotesLocale\n      downloadSize\n      installable\n      requiredStops\n      requiresLicenceMajor\n      channel\n      blockers {\n        code\n        message\n      }\n    }\n    lastUpdateCheck {\n      ...UpdateCheckFields\n    }\n  }\n": types.AvailableVersionsDocument,
    "\n  fragment FeedErrorFields on FeedError {\n    code\n    message\n    host\n    port\n    cause\n    role\n    file\n  }\n": types.FeedErrorFieldsFragmentDoc,
    "\n  fragment UpdateCheckFields on UpdateCheck {\n    id\n    trigger\n    startedAt\n    finishedAt\n    outcome\n    versionsFound\n    error {\n      ...FeedErrorFields\n    }\n  }\n": types.UpdateCheckFieldsFragmentDoc,
    "\n  mutation CheckForUpdates {\n    checkForUpdates {\n      __typename\n      ... on CheckForUpdatesSuccess {\n        check {\n          ...UpdateCheckFields\n        }\n      }\n      ... on FeedError {\n        ...FeedErrorFields\n      }\n    }\n  }\n": types.CheckForUpdatesDocument,
    "\n  fragment ConnectivityFields on EndpointStatus {\n    purpose\n    url\n    host\n    port\n    ok\n    checkedAt\n    steps {\n      step\n      ok\n      latencyMs\n      detail\n    }\n  }\n": types.ConnectivityFieldsFragmentDoc,
    "\n  query Connectivity {\n    connectivity {\n      ...ConnectivityFields\n    }\n  }\n": types.ConnectivityDocument,
    "\n  mutation RunConnectivityCheck {\n    runConnectivityCheck {\n      ...ConnectivityFields\n    }\n  }\n": types.RunConnectivityCheckDocument,
    "\n  query LicenceStatus {\n    licenceStatus {\n      systemId\n      maxMajor\n      licensedModules\n      updateContract {\n        validFrom\n        validUntil\n        active\n        daysLeft\n      }\n      warnings {\n        code\n        message\n      }\n      licences {\n        id\n        customer\n        edition\n        issuedAt\n        expiresAt\n        maxMajor\n        licensedModules\n        updateContract {\n          validFrom\n          validUntil\n        }\n      }\n    }\n  }\n": types.LicenceStatusDocument,
    "\n  mutation ImportLicence($file: File!) {\n    importLicence(file: $file) {\n      __typename\n      ... on ImportLicenceSuccess {\n        outcome\n        licence {\n          id\n        }\n      }\n      ... on LicenceError {\n        code\n        message\n      }\n    }\n  }\n": types.ImportLicenceDocument,
    "\n  mutation RemoveLicence($id: ID!) {\n    removeLicence(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.RemoveLicenceDocument,
    "\n  query ModuleUpdates($targetVersion: String!) {\n    moduleUpdates(targetVersion: $targetVersion) {\n      __typename\n      ... on ModulePlan {\n        targetVersion\n        modules {\n          moduleId\n          name\n          installedVersion\n          targetVersion\n          compatible\n          selected\n          updatable\n          runsAsInstalled\n          warnings {\n            code\n            message\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.ModuleUpdatesDocument,
    "\n  fragment NoticeFields on Notice {\n    code\n    params {\n      name\n      kind\n      value\n    }\n  }\n": types.NoticeFieldsFragmentDoc,
    "\n  fragment JobFields on UpdateJob {\n    id\n    mode\n    targetVersion\n    fromVersion\n    state\n    step\n    outcome\n    restored\n    startAt\n    createdAt\n    createdBy\n    startedAt\n    finishedAt\n    bytesDone\n    bytesTotal\n    backupId\n    sourceBackupId\n    unavailableSeconds\n    callWait {\n      end\n      waitedMs\n      activeCallsAtEnd\n      wentOn\n    }\n    modules {\n      moduleId\n      version\n    }\n    installPlan {\n      when\n      plannedAt\n      windowEnd\n      scheduledBy\n      postponements\n    }\n    error {\n      code\n      message\n      params {\n        name\n        kind\n        value\n      }\n    }\n  }\n": types.JobFieldsFragmentDoc,
    "\n  fragment DowntimeFields on DowntimeWindow {\n    id\n    startedAt\n    endedAt\n    seconds\n    cause\n    kind\n    jobId\n  }\n": types.DowntimeFieldsFragmentDoc,
    "\n  fragment JobStepFields on UpdateJobStep {\n    step\n    startedAt\n    finishedAt\n    seconds\n    outcome\n    message\n    detail {\n      ...NoticeFields\n    }\n  }\n": types.JobStepFieldsFragmentDoc,
    "\n  query UpdateJobs($first: Int) {\n    updateJobs(first: $first) {\n      ...JobFields\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n      events {\n        at\n        type\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n": types.UpdateJobsDocument,
    "\n  query UpdateJob($id: ID!) {\n    updateJob(id: $id) {\n      ...JobFields\n      plannedSteps\n      rollbackSteps\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n    }\n  }\n": types.UpdateJobDocument,
    "\n  query InstallEstimate($jobId: ID, $version: String, $backupId: ID) {\n    installEstimate(jobId: $jobId, version: $version, backupId: $backupId) {\n      __typename\n      ... on InstallEstimate {\n        seconds\n        backupSeconds\n        otherSeconds\n        downloadSeconds\n        worstCaseSeconds\n        dataBytes\n        callWait {\n          supported\n          maxWaitMinutes\n          onTimeout\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.InstallEstimateDocument,
    "\n  mutation Install($input: InstallInput!) {\n    install(input: $input) {\n      __typename\n      ... on InstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.InstallDocument,
    "\n  mutation RescheduleInstall($jobId: ID!, $when: InstallWhen!, $at: DateTime) {\n    rescheduleInstall(jobId: $jobId, when: $when, at: $at) {\n      __typename\n      ... on RescheduleInstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n": types.RescheduleInstallDocument,
    "\n  query NextMaintenanceWindow {\n    nextMaintenanceWindows(first: 1) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          start\n          end\n        }\n      }\n    }\n  }\n": types.NextMaintenanceWindowDocument,
    "\n  subscription RestoreEvents($jobId: ID!) {\n    restoreEvents(jobId: $jobId) {\n      jobId\n      seq\n      at\n      type\n      group\n      bytesDone\n      bytesTotal\n      message\n      detail {\n        ...NoticeFields\n      }\n    }\n  }\n": types.RestoreEventsDocument,
    "\n  query Backups {\n    backups {\n      id\n      status\n      problem {\n        code\n        message\n      }\n      createdAt\n      method\n      reason\n      jobId\n      applianceVersion\n      totalBytes\n      files\n      copyMs\n      verifyMs\n      verifiedAt\n      restorable\n    }\n  }\n": types.BackupsDocument,
    "\n  mutation CreateBackup {\n    createBackup {\n      __typename\n      ... on CreateBackupSuccess {\n        backup {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": types.CreateBackupDocument,
    "\n  mutation RestoreBackup($id: ID!) {\n    restoreBackup(id: $id) {\n      __typename\n      ... on RestoreBackupSuccess {\n        job {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": types.RestoreBackupDocument,
    "\n  query DowntimeWindows($first: Int) {\n    downtimeWindows(first: $first) {\n      ...DowntimeFields\n    }\n  }\n": types.DowntimeWindowsDocument,
    "\n  mutation ScheduleDownload($input: ScheduleDownloadInput!) {\n    scheduleDownload(input: $input) {\n      __typename\n      ... on ScheduleDownloadSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n": types.ScheduleDownloadDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.CancelJobDocument,
    "\n  subscription UpdateProgress($jobId: ID!) {\n    updateProgress(jobId: $jobId) {\n      jobId\n      state\n      step\n      bytesDone\n      bytesTotal\n      bytesPerSecond\n      secondsLeft\n      message\n      detail {\n        ...NoticeFields\n      }\n      drain {\n        activeCalls\n        waitedMs\n        deadline\n      }\n    }\n  }\n": types.UpdateProgressDocument,
    "\n  mutation InstallNow($jobId: ID!) {\n    installNow(jobId: $jobId) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.InstallNowDocument,
    "\n  query Maintenance {\n    maintenanceWindows {\n      timeZone\n      openUntil\n      windows {\n        days\n        start\n        lengthMinutes\n      }\n    }\n    nextMaintenanceWindows(first: 3) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          window\n          start\n          end\n          localStart\n          localEnd\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.MaintenanceDocument,
    "\n  mutation SetMaintenanceWindows($input: SetMaintenanceWindowsInput!) {\n    setMaintenanceWindows(input: $input) {\n      __typename\n      ... on MaintenanceWindows {\n        timeZone\n      }\n      ... on MaintenanceWindowError {\n        code\n        message\n        field\n        windowIndex\n        value\n      }\n    }\n  }\n": types.SetMaintenanceWindowsDocument,
    "\n  query UnattendedPolicy {\n    unattendedPolicy {\n      enabled\n      kind\n      lastOutcome {\n        at\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n": types.UnattendedPolicyDocument,
    "\n  mutation SetUnattendedPolicy($input: SetUnattendedPolicyInput!) {\n    setUnattendedPolicy(input: $input) {\n      __typename\n      ... on UnattendedPolicy {\n        enabled\n        kind\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n": types.SetUnattendedPolicyDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      authMethod\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      username\n      authMethod\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on LoginSuccess {\n        expiresAt\n        user {\n          id\n          username\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on LoginThrottledError {\n        retryAfterSeconds\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      __typename\n      ... on LoginSuccess {\n        expiresAt\n        user {\n          id\n          username\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on LoginThrottledError {\n        retryAfterSeconds\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout {\n      loggedOut\n    }\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout {\n      loggedOut\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SystemFields on System {\n    productId\n    version\n    systemId\n    state\n    telephonyAvailable\n    stateReason\n    stateSince\n    modules {\n      id\n      name\n      version\n      enabled\n    }\n  }\n"): (typeof documents)["\n  fragment SystemFields on System {\n    productId\n    version\n    systemId\n    state\n    telephonyAvailable\n    stateReason\n    stateSince\n    modules {\n      id\n      name\n      version\n      enabled\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query System {\n    system {\n      ...SystemFields\n    }\n  }\n"): (typeof documents)["\n  query System {\n    system {\n      ...SystemFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SystemState {\n    systemState {\n      ...SystemFields\n    }\n  }\n"): (typeof documents)["\n  subscription SystemState {\n    systemState {\n      ...SystemFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AvailableVersions($locale: String) {\n    availableVersions(locale: $locale) {\n      version\n      releasedAt\n      releaseNotes\n      releaseNotesLocale\n      downloadSize\n      installable\n      requiredStops\n      requiresLicenceMajor\n      channel\n      blockers {\n        code\n        message\n      }\n    }\n    lastUpdateCheck {\n      ...UpdateCheckFields\n    }\n  }\n"): (typeof documents)["\n  query AvailableVersions($locale: String) {\n    availableVersions(locale: $locale) {\n      version\n      releasedAt\n      releaseNotes\n      releaseNotesLocale\n      downloadSize\n      installable\n      requiredStops\n      requiresLicenceMajor\n      channel\n      blockers {\n        code\n        message\n      }\n    }\n    lastUpdateCheck {\n      ...UpdateCheckFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment FeedErrorFields on FeedError {\n    code\n    message\n    host\n    port\n    cause\n    role\n    file\n  }\n"): (typeof documents)["\n  fragment FeedErrorFields on FeedError {\n    code\n    message\n    host\n    port\n    cause\n    role\n    file\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UpdateCheckFields on UpdateCheck {\n    id\n    trigger\n    startedAt\n    finishedAt\n    outcome\n    versionsFound\n    error {\n      ...FeedErrorFields\n    }\n  }\n"): (typeof documents)["\n  fragment UpdateCheckFields on UpdateCheck {\n    id\n    trigger\n    startedAt\n    finishedAt\n    outcome\n    versionsFound\n    error {\n      ...FeedErrorFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CheckForUpdates {\n    checkForUpdates {\n      __typename\n      ... on CheckForUpdatesSuccess {\n        check {\n          ...UpdateCheckFields\n        }\n      }\n      ... on FeedError {\n        ...FeedErrorFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CheckForUpdates {\n    checkForUpdates {\n      __typename\n      ... on CheckForUpdatesSuccess {\n        check {\n          ...UpdateCheckFields\n        }\n      }\n      ... on FeedError {\n        ...FeedErrorFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConnectivityFields on EndpointStatus {\n    purpose\n    url\n    host\n    port\n    ok\n    checkedAt\n    steps {\n      step\n      ok\n      latencyMs\n      detail\n    }\n  }\n"): (typeof documents)["\n  fragment ConnectivityFields on EndpointStatus {\n    purpose\n    url\n    host\n    port\n    ok\n    checkedAt\n    steps {\n      step\n      ok\n      latencyMs\n      detail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Connectivity {\n    connectivity {\n      ...ConnectivityFields\n    }\n  }\n"): (typeof documents)["\n  query Connectivity {\n    connectivity {\n      ...ConnectivityFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RunConnectivityCheck {\n    runConnectivityCheck {\n      ...ConnectivityFields\n    }\n  }\n"): (typeof documents)["\n  mutation RunConnectivityCheck {\n    runConnectivityCheck {\n      ...ConnectivityFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LicenceStatus {\n    licenceStatus {\n      systemId\n      maxMajor\n      licensedModules\n      updateContract {\n        validFrom\n        validUntil\n        active\n        daysLeft\n      }\n      warnings {\n        code\n        message\n      }\n      licences {\n        id\n        customer\n        edition\n        issuedAt\n        expiresAt\n        maxMajor\n        licensedModules\n        updateContract {\n          validFrom\n          validUntil\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query LicenceStatus {\n    licenceStatus {\n      systemId\n      maxMajor\n      licensedModules\n      updateContract {\n        validFrom\n        validUntil\n        active\n        daysLeft\n      }\n      warnings {\n        code\n        message\n      }\n      licences {\n        id\n        customer\n        edition\n        issuedAt\n        expiresAt\n        maxMajor\n        licensedModules\n        updateContract {\n          validFrom\n          validUntil\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportLicence($file: File!) {\n    importLicence(file: $file) {\n      __typename\n      ... on ImportLicenceSuccess {\n        outcome\n        licence {\n          id\n        }\n      }\n      ... on LicenceError {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ImportLicence($file: File!) {\n    importLicence(file: $file) {\n      __typename\n      ... on ImportLicenceSuccess {\n        outcome\n        licence {\n          id\n        }\n      }\n      ... on LicenceError {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveLicence($id: ID!) {\n    removeLicence(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveLicence($id: ID!) {\n    removeLicence(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModuleUpdates($targetVersion: String!) {\n    moduleUpdates(targetVersion: $targetVersion) {\n      __typename\n      ... on ModulePlan {\n        targetVersion\n        modules {\n          moduleId\n          name\n          installedVersion\n          targetVersion\n          compatible\n          selected\n          updatable\n          runsAsInstalled\n          warnings {\n            code\n            message\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query ModuleUpdates($targetVersion: String!) {\n    moduleUpdates(targetVersion: $targetVersion) {\n      __typename\n      ... on ModulePlan {\n        targetVersion\n        modules {\n          moduleId\n          name\n          installedVersion\n          targetVersion\n          compatible\n          selected\n          updatable\n          runsAsInstalled\n          warnings {\n            code\n            message\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NoticeFields on Notice {\n    code\n    params {\n      name\n      kind\n      value\n    }\n  }\n"): (typeof documents)["\n  fragment NoticeFields on Notice {\n    code\n    params {\n      name\n      kind\n      value\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobFields on UpdateJob {\n    id\n    mode\n    targetVersion\n    fromVersion\n    state\n    step\n    outcome\n    restored\n    startAt\n    createdAt\n    createdBy\n    startedAt\n    finishedAt\n    bytesDone\n    bytesTotal\n    backupId\n    sourceBackupId\n    unavailableSeconds\n    callWait {\n      end\n      waitedMs\n      activeCallsAtEnd\n      wentOn\n    }\n    modules {\n      moduleId\n      version\n    }\n    installPlan {\n      when\n      plannedAt\n      windowEnd\n      scheduledBy\n      postponements\n    }\n    error {\n      code\n      message\n      params {\n        name\n        kind\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment JobFields on UpdateJob {\n    id\n    mode\n    targetVersion\n    fromVersion\n    state\n    step\n    outcome\n    restored\n    startAt\n    createdAt\n    createdBy\n    startedAt\n    finishedAt\n    bytesDone\n    bytesTotal\n    backupId\n    sourceBackupId\n    unavailableSeconds\n    callWait {\n      end\n      waitedMs\n      activeCallsAtEnd\n      wentOn\n    }\n    modules {\n      moduleId\n      version\n    }\n    installPlan {\n      when\n      plannedAt\n      windowEnd\n      scheduledBy\n      postponements\n    }\n    error {\n      code\n      message\n      params {\n        name\n        kind\n        value\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DowntimeFields on DowntimeWindow {\n    id\n    startedAt\n    endedAt\n    seconds\n    cause\n    kind\n    jobId\n  }\n"): (typeof documents)["\n  fragment DowntimeFields on DowntimeWindow {\n    id\n    startedAt\n    endedAt\n    seconds\n    cause\n    kind\n    jobId\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobStepFields on UpdateJobStep {\n    step\n    startedAt\n    finishedAt\n    seconds\n    outcome\n    message\n    detail {\n      ...NoticeFields\n    }\n  }\n"): (typeof documents)["\n  fragment JobStepFields on UpdateJobStep {\n    step\n    startedAt\n    finishedAt\n    seconds\n    outcome\n    message\n    detail {\n      ...NoticeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UpdateJobs($first: Int) {\n    updateJobs(first: $first) {\n      ...JobFields\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n      events {\n        at\n        type\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UpdateJobs($first: Int) {\n    updateJobs(first: $first) {\n      ...JobFields\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n      events {\n        at\n        type\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UpdateJob($id: ID!) {\n    updateJob(id: $id) {\n      ...JobFields\n      plannedSteps\n      rollbackSteps\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query UpdateJob($id: ID!) {\n    updateJob(id: $id) {\n      ...JobFields\n      plannedSteps\n      rollbackSteps\n      steps {\n        ...JobStepFields\n      }\n      downtime {\n        ...DowntimeFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InstallEstimate($jobId: ID, $version: String, $backupId: ID) {\n    installEstimate(jobId: $jobId, version: $version, backupId: $backupId) {\n      __typename\n      ... on InstallEstimate {\n        seconds\n        backupSeconds\n        otherSeconds\n        downloadSeconds\n        worstCaseSeconds\n        dataBytes\n        callWait {\n          supported\n          maxWaitMinutes\n          onTimeout\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query InstallEstimate($jobId: ID, $version: String, $backupId: ID) {\n    installEstimate(jobId: $jobId, version: $version, backupId: $backupId) {\n      __typename\n      ... on InstallEstimate {\n        seconds\n        backupSeconds\n        otherSeconds\n        downloadSeconds\n        worstCaseSeconds\n        dataBytes\n        callWait {\n          supported\n          maxWaitMinutes\n          onTimeout\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Install($input: InstallInput!) {\n    install(input: $input) {\n      __typename\n      ... on InstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Install($input: InstallInput!) {\n    install(input: $input) {\n      __typename\n      ... on InstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RescheduleInstall($jobId: ID!, $when: InstallWhen!, $at: DateTime) {\n    rescheduleInstall(jobId: $jobId, when: $when, at: $at) {\n      __typename\n      ... on RescheduleInstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RescheduleInstall($jobId: ID!, $when: InstallWhen!, $at: DateTime) {\n    rescheduleInstall(jobId: $jobId, when: $when, at: $at) {\n      __typename\n      ... on RescheduleInstallSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InvalidInputError {\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NextMaintenanceWindow {\n    nextMaintenanceWindows(first: 1) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          start\n          end\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NextMaintenanceWindow {\n    nextMaintenanceWindows(first: 1) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          start\n          end\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RestoreEvents($jobId: ID!) {\n    restoreEvents(jobId: $jobId) {\n      jobId\n      seq\n      at\n      type\n      group\n      bytesDone\n      bytesTotal\n      message\n      detail {\n        ...NoticeFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RestoreEvents($jobId: ID!) {\n    restoreEvents(jobId: $jobId) {\n      jobId\n      seq\n      at\n      type\n      group\n      bytesDone\n      bytesTotal\n      message\n      detail {\n        ...NoticeFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Backups {\n    backups {\n      id\n      status\n      problem {\n        code\n        message\n      }\n      createdAt\n      method\n      reason\n      jobId\n      applianceVersion\n      totalBytes\n      files\n      copyMs\n      verifyMs\n      verifiedAt\n      restorable\n    }\n  }\n"): (typeof documents)["\n  query Backups {\n    backups {\n      id\n      status\n      problem {\n        code\n        message\n      }\n      createdAt\n      method\n      reason\n      jobId\n      applianceVersion\n      totalBytes\n      files\n      copyMs\n      verifyMs\n      verifiedAt\n      restorable\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateBackup {\n    createBackup {\n      __typename\n      ... on CreateBackupSuccess {\n        backup {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateBackup {\n    createBackup {\n      __typename\n      ... on CreateBackupSuccess {\n        backup {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreBackup($id: ID!) {\n    restoreBackup(id: $id) {\n      __typename\n      ... on RestoreBackupSuccess {\n        job {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RestoreBackup($id: ID!) {\n    restoreBackup(id: $id) {\n      __typename\n      ... on RestoreBackupSuccess {\n        job {\n          id\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DowntimeWindows($first: Int) {\n    downtimeWindows(first: $first) {\n      ...DowntimeFields\n    }\n  }\n"): (typeof documents)["\n  query DowntimeWindows($first: Int) {\n    downtimeWindows(first: $first) {\n      ...DowntimeFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ScheduleDownload($input: ScheduleDownloadInput!) {\n    scheduleDownload(input: $input) {\n      __typename\n      ... on ScheduleDownloadSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ScheduleDownload($input: ScheduleDownloadInput!) {\n    scheduleDownload(input: $input) {\n      __typename\n      ... on ScheduleDownloadSuccess {\n        job {\n          ...JobFields\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n      ... on InsufficientDiskError {\n        neededBytes\n        freeBytes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription UpdateProgress($jobId: ID!) {\n    updateProgress(jobId: $jobId) {\n      jobId\n      state\n      step\n      bytesDone\n      bytesTotal\n      bytesPerSecond\n      secondsLeft\n      message\n      detail {\n        ...NoticeFields\n      }\n      drain {\n        activeCalls\n        waitedMs\n        deadline\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription UpdateProgress($jobId: ID!) {\n    updateProgress(jobId: $jobId) {\n      jobId\n      state\n      step\n      bytesDone\n      bytesTotal\n      bytesPerSecond\n      secondsLeft\n      message\n      detail {\n        ...NoticeFields\n      }\n      drain {\n        activeCalls\n        waitedMs\n        deadline\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InstallNow($jobId: ID!) {\n    installNow(jobId: $jobId) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InstallNow($jobId: ID!) {\n    installNow(jobId: $jobId) {\n      __typename\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Maintenance {\n    maintenanceWindows {\n      timeZone\n      openUntil\n      windows {\n        days\n        start\n        lengthMinutes\n      }\n    }\n    nextMaintenanceWindows(first: 3) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          window\n          start\n          end\n          localStart\n          localEnd\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  query Maintenance {\n    maintenanceWindows {\n      timeZone\n      openUntil\n      windows {\n        days\n        start\n        lengthMinutes\n      }\n    }\n    nextMaintenanceWindows(first: 3) {\n      __typename\n      ... on NextMaintenanceWindows {\n        timeZone\n        occurrences {\n          window\n          start\n          end\n          localStart\n          localEnd\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetMaintenanceWindows($input: SetMaintenanceWindowsInput!) {\n    setMaintenanceWindows(input: $input) {\n      __typename\n      ... on MaintenanceWindows {\n        timeZone\n      }\n      ... on MaintenanceWindowError {\n        code\n        message\n        field\n        windowIndex\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetMaintenanceWindows($input: SetMaintenanceWindowsInput!) {\n    setMaintenanceWindows(input: $input) {\n      __typename\n      ... on MaintenanceWindows {\n        timeZone\n      }\n      ... on MaintenanceWindowError {\n        code\n        message\n        field\n        windowIndex\n        value\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnattendedPolicy {\n    unattendedPolicy {\n      enabled\n      kind\n      lastOutcome {\n        at\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query UnattendedPolicy {\n    unattendedPolicy {\n      enabled\n      kind\n      lastOutcome {\n        at\n        message\n        detail {\n          ...NoticeFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUnattendedPolicy($input: SetUnattendedPolicyInput!) {\n    setUnattendedPolicy(input: $input) {\n      __typename\n      ... on UnattendedPolicy {\n        enabled\n        kind\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SetUnattendedPolicy($input: SetUnattendedPolicyInput!) {\n    setUnattendedPolicy(input: $input) {\n      __typename\n      ... on UnattendedPolicy {\n        enabled\n        kind\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;