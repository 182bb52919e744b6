import { Module } from '@nestjs/common';
import { OrganizationsModule } from '../organizations/organizations.module';
import { HomeController } from './home.controller';

@Module({ imports: [OrganizationsModule], controllers: [HomeController] })
export class HomeModule {}
