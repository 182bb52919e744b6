import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AssessmentsModule } from './assessments/assessments.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { PermissionGuard } from './auth/permission.guard';
import { SessionGuard } from './auth/session.guard';
import { ClientPagesModule } from './clients/client-pages.module';
import { ClientsModule } from './clients/clients.module';
import { ClockModule } from './clock/clock.module';
import { appConfig } from './config/app.config';
import { authConfig } from './config/auth.config';
import { cryptoConfig } from './config/crypto.config';
import { databaseConfig } from './config/database.config';
import { reportsConfig } from './config/reports.config';
import { ConsentNoticesModule } from './consent-notices/consent-notices.module';
import { ConsentRenewalModule } from './consent-notices/consent-renewal.module';
import { ContactsModule } from './contacts/contacts.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { GeographyModule } from './geography/geography.module';
import { GroupsModule } from './groups/groups.module';
import { HealthModule } from './health/health.module';
import { HomeModule } from './home/home.module';
import { ImportsModule } from './imports/imports.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { PrivacyModule } from './privacy/privacy.module';
import { PrivacyRequestsModule } from './privacy-requests/privacy-requests.module';
import { ProvidersModule } from './providers/providers.module';
import { ReferralReviewModule } from './referral-review/referral-review.module';
import { IndicatorsModule } from './indicators/indicators.module';
import { ReferralsModule } from './referrals/referrals.module';
import { TargetsModule } from './targets/targets.module';
import { ConfirmationsModule } from './confirmations/confirmations.module';
import { ErasureModule } from './erasure/erasure.module';
import { UsersModule } from './users/users.module';
import { PageLocalsInterceptor } from './web/page-locals.interceptor';
import { SessionStoreLifecycle } from './web/session-store';
import { RenderErrorsFilter } from './web/render-errors.filter';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      load: [appConfig, authConfig, cryptoConfig, databaseConfig, reportsConfig],
    }),
    ClockModule,
    DatabaseModule,
    PrivacyModule,
    AuditModule,
    OrganizationsModule,
    UsersModule,
    AuthModule,
    GeographyModule,
    HomeModule,
    HealthModule,
    ClientsModule,
    ConsentNoticesModule,
    ConsentRenewalModule,
    ContactsModule,
    AssessmentsModule,
    ClientPagesModule,
    ImportsModule,
    GroupsModule,
    ProvidersModule,
    ReferralsModule,
    ReferralReviewModule,
    PrivacyRequestsModule,
    ConfirmationsModule,
    ErasureModule,
    TargetsModule,
    DemoModule,
    IndicatorsModule,
  ],
  providers: [
    { provide: APP_GUARD, useClass: SessionGuard }, // who is this?
    { provide: APP_GUARD, useClass: PermissionGuard }, // may they do this?
    { provide: APP_INTERCEPTOR, useClass: PageLocalsInterceptor },
    { provide: APP_FILTER, useClass: RenderErrorsFilter },
    SessionStoreLifecycle,
  ],
})
export class AppModule {}
